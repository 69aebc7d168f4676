package promotecheck

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/gitward/gitward/pkg/check"
	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/promote"
	"github.com/gitward/gitward/pkg/render"
)

// Checker runs pkg/check for one environment. The zero value is ready to
// use.
type Checker struct {
	// Warn receives findings that only warn; nil drops them.
	Warn io.Writer
}

// New returns a Checker that writes warnings to warn (nil: dropped).
func New(warn io.Writer) *Checker { return &Checker{Warn: warn} }

// Check runs pkg/check for env on fsys, on the rendering promote made
// (rendered; its Origins name the files of findings), so the environment
// is not rendered again; with rendered nil pkg/check renders env itself.
// A failing check wraps promote.ErrCheckFailed and lists every failing
// finding.
func (c *Checker) Check(ctx context.Context, fsys fs.FS, cfg *config.Config, env config.Environment, rendered *render.Result) error {
	// Kyverno's engine logs through controller-runtime's logger; nothing of
	// it is for the user, and unset it warns after 30 s.
	ctrllog.SetLogger(logr.Discard())
	o := check.Options{FS: fsys, Config: cfg, Environments: []string{env.Name}}
	if rendered != nil {
		o.Rendered = map[string]*render.Result{env.Name: rendered}
	}
	rep, err := check.Run(ctx, o)
	if err != nil {
		return fmt.Errorf("check %s: %w", env.Name, err)
	}
	var failed, warned []string
	for _, f := range rep.All() {
		if f.Failed() {
			failed = append(failed, line(f))
		} else {
			warned = append(warned, line(f))
		}
	}
	if c.Warn != nil && len(warned) > 0 {
		fmt.Fprintf(c.Warn, "Warnings of the check of %s after the change:\n%s\n", env.Name, strings.Join(warned, "\n"))
	}
	if len(failed) == 0 {
		return nil
	}
	word := "problems"
	if len(failed) == 1 {
		word = "problem"
	}
	return fmt.Errorf("%w for %s after the change (%d %s, as `git gitops check %s` would report them):\n%s",
		promote.ErrCheckFailed, env.Name, len(failed), word, env.Name, strings.Join(failed, "\n"))
}

// line is a finding on one indented line, naming the policy and rule (and
// the policy's file) of a policy finding.
func line(f check.Finding) string {
	s := "  " + f.String()
	if f.Policy == "" {
		return s
	}
	s += " [policy " + f.Policy
	if f.Rule != "" {
		s += ", rule " + f.Rule
	}
	if f.PolicyFile != "" {
		s += ", " + f.PolicyFile
	}
	return s + "]"
}
