//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/pkg/policy"
)

// TestCheckMatchesKyverno runs, on every kyverno-test.yaml folder under
// testdata/kyverno, the real kyverno CLI (built by hack/build-kyverno.sh
// from github.com/kyverno/kyverno v1.19.1) and gitward, and requires the
// same result for every policy, rule and resource:
//
//   - `kyverno test DIR` passes: the results the folder declares are
//     Kyverno's;
//   - `kyverno apply POLICIES --resource RESOURCES --policy-report` gives
//     Kyverno's full set of results (policy, rule, resource, result,
//     message), which must equal both pkg/policy's on the same files and
//     `git gitops check -o json`'s on a Git repository made of the folder
//     (a kustomization over the resources, gitward.yaml naming the
//     policies);
//   - every declared result is among them.
func TestCheckMatchesKyverno(t *testing.T) {
	kyverno := filepath.Join(toolsBin(t), "kyverno")
	if _, err := os.Stat(kyverno); err != nil {
		t.Fatalf("the real kyverno CLI is missing (%v): run hack/build-kyverno.sh (make tools)", err)
	}
	gitops := filepath.Join(t.TempDir(), "git-gitops")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", gitops,
		"github.com/gitward/gitward/plugins/git-gitops").CombinedOutput(); err != nil {
		t.Fatalf("go build git-gitops: %v\n%s", err, out)
	}
	tests, err := filepath.Glob("testdata/kyverno/*/kyverno-test.yaml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no kyverno-test.yaml folders: %v", err)
	}
	for _, file := range tests {
		dir := filepath.Dir(file)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			kt := readKyvernoTest(t, file)
			runKyvernoTest(t, kyverno, dir)
			want := kyvernoApply(t, kyverno, dir, kt)
			if len(want) == 0 {
				t.Fatal("kyverno apply reported no results")
			}
			for _, d := range kt.expand() {
				if !slices.ContainsFunc(want, d.matches) {
					t.Errorf("declared result %v is not among kyverno apply's results", d)
				}
			}
			compareResults(t, "pkg/policy", want, evaluateDirect(t, dir, kt))
			compareResults(t, "git gitops check", want, runCheck(t, gitops, dir, kt))
			t.Logf("%d results of kyverno apply (%d declared in kyverno-test.yaml) matched", len(want), len(kt.expand()))
		})
	}
}

// kyvernoTest is the part of a kyverno-test.yaml the test needs.
type kyvernoTest struct {
	Policies  []string `json:"policies"`
	Resources []string `json:"resources"`
	Results   []struct {
		Policy             string   `json:"policy"`
		Rule               string   `json:"rule"`
		Kind               string   `json:"kind"`
		Resources          []string `json:"resources"`
		Result             string   `json:"result"`
		IsValidatingPolicy bool     `json:"isValidatingPolicy"`
	} `json:"results"`
}

func readKyvernoTest(t *testing.T, file string) *kyvernoTest {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	kt := &kyvernoTest{}
	if err := yaml.Unmarshal(data, kt); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return kt
}

// declared is one expanded result of a kyverno-test.yaml.
type declared struct{ policy, rule, kind, resource, result string }

func (kt *kyvernoTest) expand() []declared {
	var out []declared
	for _, r := range kt.Results {
		for _, res := range r.Resources {
			out = append(out, declared{r.Policy, r.Rule, r.Kind, res, r.Result})
		}
	}
	return out
}

// matches reports whether a result of kyverno apply is this declared one;
// a declared rule also names its autogen variants, as in `kyverno test`.
func (d declared) matches(r row) bool {
	if r.policy != d.policy || r.kind != d.kind || r.result != d.result {
		return false
	}
	if d.rule != "" && r.rule != d.rule && r.rule != "autogen-"+d.rule && r.rule != "autogen-cronjob-"+d.rule {
		return false
	}
	ns, name, ok := strings.Cut(d.resource, "/")
	if !ok {
		return r.name == d.resource
	}
	return r.namespace == ns && r.name == name
}

// row is one result, in a form both sides produce.
type row struct {
	policy, rule, kind, namespace, name, result, message string
}

func (r row) String() string {
	return fmt.Sprintf("%s/%s %s %s/%s: %s (%q)", r.policy, r.rule, r.kind, r.namespace, r.name, r.result, r.message)
}

func sortRows(rs []row) []row {
	slices.SortFunc(rs, func(a, b row) int { return strings.Compare(a.String(), b.String()) })
	return rs
}

func compareResults(t *testing.T, who string, want, got []row) {
	t.Helper()
	want, got = sortRows(slices.Clone(want)), sortRows(slices.Clone(got))
	for _, r := range want {
		if !slices.Contains(got, r) {
			t.Errorf("%s lacks kyverno's result %v", who, r)
		}
	}
	for _, r := range got {
		if !slices.Contains(want, r) {
			t.Errorf("%s has a result kyverno does not: %v", who, r)
		}
	}
	if len(want) != len(got) {
		t.Errorf("%s: %d results, kyverno %d", who, len(got), len(want))
	}
}

func runKyvernoTest(t *testing.T, kyverno, dir string) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), kyverno, "test", dir, "--remove-color").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("and 0 tests failed")) {
		t.Fatalf("kyverno test %s: %v\n%s", dir, err, out)
	}
}

// kyvernoApply returns every result of `kyverno apply --policy-report`.
func kyvernoApply(t *testing.T, kyverno, dir string, kt *kyvernoTest) []row {
	t.Helper()
	args := append([]string{"apply"}, kt.Policies...)
	for _, r := range kt.Resources {
		args = append(args, "--resource", r)
	}
	args = append(args, "--policy-report", "--remove-color")
	cmd := exec.CommandContext(t.Context(), kyverno, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// apply exits non-zero when a result fails; its report is still printed.
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("kyverno %s: %v", strings.Join(args, " "), err)
		}
	}
	out := stdout.String()
	i := strings.Index(out, "apiVersion:")
	if i < 0 {
		t.Fatalf("kyverno %s printed no report:\n%s\n%s", strings.Join(args, " "), out, stderr.String())
	}
	var rows []row
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(out[i:]), 4096)
	for {
		var rep struct {
			Results []struct {
				Policy    string `json:"policy"`
				Rule      string `json:"rule"`
				Result    string `json:"result"`
				Message   string `json:"message"`
				Resources []struct {
					Kind      string `json:"kind"`
					Namespace string `json:"namespace"`
					Name      string `json:"name"`
				} `json:"resources"`
			} `json:"results"`
		}
		if err := dec.Decode(&rep); err != nil {
			break
		}
		for _, r := range rep.Results {
			for _, res := range r.Resources {
				rows = append(rows, row{r.Policy, r.Rule, res.Kind, res.Namespace, res.Name, r.Result, r.Message})
			}
		}
	}
	return rows
}

// evaluateDirect runs pkg/policy on the folder's files.
func evaluateDirect(t *testing.T, dir string, kt *kyvernoTest) []row {
	t.Helper()
	set, err := policy.Load(os.DirFS(dir), kt.Policies...)
	if err != nil {
		t.Fatal(err)
	}
	if inv := set.Invalid(); len(inv) > 0 {
		t.Fatalf("invalid policies: %v", inv)
	}
	var objs []*unstructured.Unstructured
	for _, f := range kt.Resources {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			u := &unstructured.Unstructured{}
			if err := dec.Decode(&u.Object); err != nil {
				break
			}
			if len(u.Object) > 0 {
				objs = append(objs, u)
			}
		}
	}
	rep, err := set.Evaluate(context.Background(), objs, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	for _, r := range rep.Results {
		rows = append(rows, row{r.Policy, r.Rule, r.Object.Kind, r.Object.Namespace, r.Object.Name, string(r.Status), r.Message})
	}
	return rows
}

// runCheck makes a Git repository of the folder — the resources behind a
// kustomization, gitward.yaml naming the policies — and runs
// `git gitops check -o json` in it.
func runCheck(t *testing.T, gitops, dir string, kt *kyvernoTest) []row {
	t.Helper()
	repo := t.TempDir()
	if err := os.CopyFS(repo, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	kust := "resources:\n"
	for _, r := range kt.Resources {
		kust += "- " + r + "\n"
	}
	cfg := "apiVersion: gitward.dev/v1alpha1\nkind: Config\nenvironments:\n- name: test\n  path: .\npolicies:\n"
	for _, p := range kt.Policies {
		cfg += "- " + p + "\n"
	}
	for name, content := range map[string]string{"kustomization.yaml": kust, "gitward.yaml": cfg} {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "policies and resources"},
	} {
		cmd := exec.CommandContext(t.Context(), "git", args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	cmd := exec.CommandContext(t.Context(), gitops, "check", "-o", "json")
	cmd.Dir = repo
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("git gitops check: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	var rep struct {
		Failed       bool `json:"failed"`
		Environments []struct {
			Results []struct {
				Policy string `json:"policy"`
				Rule   string `json:"rule"`
				Object struct {
					Kind      string `json:"kind"`
					Namespace string `json:"namespace"`
					Name      string `json:"name"`
				} `json:"object"`
				File    string `json:"file"`
				Result  string `json:"result"`
				Message string `json:"message"`
			} `json:"results"`
		} `json:"environments"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("git gitops check -o json: %v\n%s", err, stdout.String())
	}
	if len(rep.Environments) != 1 {
		t.Fatalf("git gitops check: %d environments", len(rep.Environments))
	}
	var rows []row
	failed := false
	for _, r := range rep.Environments[0].Results {
		rows = append(rows, row{r.Policy, r.Rule, r.Object.Kind, r.Object.Namespace, r.Object.Name, r.Result, r.Message})
		if r.Result == "fail" {
			failed = true
		}
		if !slices.Contains(kt.Resources, r.File) {
			t.Errorf("result %s/%s on %s names file %q, want one of %v", r.Policy, r.Rule, r.Object.Name, r.File, kt.Resources)
		}
	}
	if failed && (exit == nil || exit.ExitCode() != 1) {
		t.Errorf("git gitops check exited %v with failing results, want 1", err)
	}
	return rows
}
