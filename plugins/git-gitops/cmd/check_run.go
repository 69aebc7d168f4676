package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/pkg/check"
	"github.com/gitward/gitward/pkg/cli"
)

// Run checks and prints the report; a failing check returns exit code 1.
func (o *CheckOptions) Run(ctx context.Context) error {
	tuneGC()
	// Kyverno's engine logs through controller-runtime's logger; nothing of
	// it is for the user, and unset it warns after 30 s.
	ctrllog.SetLogger(logr.Discard())
	opts := check.Options{
		Root:         o.root,
		Environments: o.Environments,
		AllowRemote:  o.AllowRemote,
		AuditWarn:    o.AuditWarn,
	}
	if o.Rev != "" {
		h, err := o.repo.Resolve(o.Rev)
		if err != nil {
			return &cli.ExitError{Code: 2, Err: fmt.Errorf("--rev %s: %w", o.Rev, err)}
		}
		tree, err := o.repo.TreeFS(h)
		if err != nil {
			return &cli.ExitError{Code: 2, Err: fmt.Errorf("--rev %s: %w", o.Rev, err)}
		}
		opts.FS = tree
	}
	rep, err := check.Run(ctx, opts)
	if err != nil {
		return &cli.ExitError{Code: 2, Err: err}
	}
	if err := o.print(rep); err != nil {
		return &cli.ExitError{Code: 2, Err: err}
	}
	if rep.Failed() {
		failed, _ := rep.Counts()
		return &cli.ExitError{Code: 1, Err: fmt.Errorf("check failed: %d %s", failed, pluralWord(failed, "problem", "problems"))}
	}
	return nil
}

// tuneGC trades memory for CPU while checking: Kyverno's engine allocates
// ~300 KB per object and policy, and with the default GOGC=100 the
// collector takes ~40% of the CPU (docs/benchmarks.md, Check). GOGC=400
// with a 2 GiB soft limit unless GOGC or GOMEMLIMIT are set.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(2 << 30)
	}
}

func (o *CheckOptions) print(rep *check.Report) error {
	switch o.Output {
	case checkOutputJSON:
		enc := json.NewEncoder(o.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(jsonReport(rep))
	case checkOutputPolicyReport:
		reports, err := rep.PolicyReports(o.Now())
		if err != nil {
			return err
		}
		for i, r := range reports {
			b, err := yaml.Marshal(r.Object)
			if err != nil {
				return err
			}
			if i > 0 {
				fmt.Fprintln(o.Out, "---")
			}
			if _, err := o.Out.Write(b); err != nil {
				return err
			}
		}
		return nil
	default:
		return printText(o.Out, rep)
	}
}

// checkJSON is the -o json document.
type checkJSON struct {
	Failed       bool              `json:"failed"`
	Summary      checkSummary      `json:"summary"`
	Environments []checkEnvJSON    `json:"environments"`
	Policies     []checkPolicyJSON `json:"policies"`
	Findings     []check.Finding   `json:"findings"`
	Warnings     []string          `json:"warnings,omitempty"`
}

type checkSummary struct {
	Failed int `json:"failed"`
	Warned int `json:"warned"`
}

type checkEnvJSON struct {
	Name     string          `json:"name"`
	Path     string          `json:"path"`
	Objects  int             `json:"objects"`
	Findings []check.Finding `json:"findings"`
	// Results are every Kyverno result, passes and skips included.
	Results []checkResultJSON `json:"results"`
}

type checkResultJSON struct {
	Policy     string       `json:"policy"`
	PolicyKind string       `json:"policyKind"`
	Rule       string       `json:"rule,omitempty"`
	Object     check.Object `json:"object"`
	File       string       `json:"file,omitempty"`
	Result     string       `json:"result"`
	Message    string       `json:"message,omitempty"`
}

type checkPolicyJSON struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	File string `json:"file"`
}

func jsonReport(rep *check.Report) checkJSON {
	failed, warned := rep.Counts()
	out := checkJSON{
		Failed:       rep.Failed(),
		Summary:      checkSummary{Failed: failed, Warned: warned},
		Findings:     nonNil(rep.Findings),
		Warnings:     rep.Warnings,
		Environments: []checkEnvJSON{},
		Policies:     []checkPolicyJSON{},
	}
	for _, p := range rep.Policies {
		out.Policies = append(out.Policies, checkPolicyJSON{Kind: p.Kind, Name: p.Key(), File: p.File})
	}
	for _, e := range rep.Environments {
		ej := checkEnvJSON{Name: e.Name, Path: e.Path, Objects: e.Objects, Findings: nonNil(e.Findings), Results: []checkResultJSON{}}
		if e.Policy != nil {
			for _, r := range e.Policy.Results {
				file := ""
				if r.ObjectIndex < len(e.Files) {
					file = e.Files[r.ObjectIndex]
				}
				ej.Results = append(ej.Results, checkResultJSON{
					Policy: r.Policy, PolicyKind: r.PolicyKind, Rule: r.Rule, Object: r.Object,
					File: file, Result: string(r.Status), Message: r.Message,
				})
			}
		}
		out.Environments = append(out.Environments, ej)
	}
	return out
}

func nonNil(f []check.Finding) []check.Finding {
	if f == nil {
		return []check.Finding{}
	}
	return f
}

// printText prints one block per finding, grouped by environment, then a
// summary line.
func printText(w io.Writer, rep *check.Report) error {
	var b strings.Builder
	for _, f := range rep.Findings {
		writeFinding(&b, f)
	}
	for _, e := range rep.Environments {
		fs := append([]check.Finding(nil), e.Findings...)
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].Failed() && !fs[j].Failed() })
		status := "ok"
		if len(fs) > 0 {
			status = fmt.Sprintf("%d %s", len(fs), pluralWord(len(fs), "finding", "findings"))
		}
		fmt.Fprintf(&b, "%s (%s): %d %s, %s\n", e.Name, e.Path, e.Objects, pluralWord(e.Objects, "object", "objects"), status)
		for _, f := range fs {
			writeFinding(&b, f)
		}
	}
	failed, warned := rep.Counts()
	switch {
	case failed > 0:
		fmt.Fprintf(&b, "FAIL: %d %s, %d %s\n", failed, pluralWord(failed, "failure", "failures"), warned, pluralWord(warned, "warning", "warnings"))
	case warned > 0:
		fmt.Fprintf(&b, "PASS with %d %s\n", warned, pluralWord(warned, "warning", "warnings"))
	default:
		fmt.Fprintf(&b, "PASS: %d %s checked against %d %s\n", len(rep.Environments),
			pluralWord(len(rep.Environments), "environment", "environments"), len(rep.Policies), pluralWord(len(rep.Policies), "policy", "policies"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFinding(b *strings.Builder, f check.Finding) {
	fmt.Fprintf(b, "  %s %s", strings.ToUpper(string(f.Status)), f.Kind)
	if f.Policy != "" {
		fmt.Fprintf(b, " %s", f.Policy)
		if f.Rule != "" {
			fmt.Fprintf(b, "/%s", f.Rule)
		}
	}
	b.WriteString("\n")
	if f.Object != nil {
		fmt.Fprintf(b, "    object: %s\n", f.Object)
	}
	if f.File != "" {
		fmt.Fprintf(b, "    file:   %s\n", f.File)
	}
	if f.PolicyFile != "" && f.PolicyFile != f.File {
		fmt.Fprintf(b, "    policy: %s\n", f.PolicyFile)
	}
	fmt.Fprintf(b, "    %s\n", strings.ReplaceAll(strings.TrimSpace(f.Message), "\n", "\n    "))
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
