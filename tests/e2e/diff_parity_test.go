//go:build e2e

package e2e

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/tests/localcluster"
)

// TestDiffParityWithKubectl applies the 2,000-object workload with the real
// kubectl (server-side), then compares the set of objects `kubectl diff`
// reports for the variant with 5% changed with the set
// `kubectl gitops diff` reports. kubectl diff takes minutes here.
func TestDiffParityWithKubectl(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	kubectl := filepath.Join(toolsBin(t), "kubectl")
	dir := t.TempDir()
	base, changed := filepath.Join(dir, "base.yaml"), filepath.Join(dir, "changed.yaml")
	writeWorkload(t, base, 2000, 0)
	writeWorkload(t, changed, 2000, 20)
	if out, err := exec.CommandContext(t.Context(), kubectl, "--kubeconfig", c.Kubeconfig, "apply", "--server-side", "-f", base).CombinedOutput(); err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, diffTail(out))
	}
	waitDeploymentsSettled(t, c, "bench")

	theirs, code := kubectlDiff(t, kubectl, c.Kubeconfig, changed)
	if code != 1 {
		t.Fatalf("kubectl diff exited %d, want 1", code)
	}
	r := runDiff(t, c.Kubeconfig, "", "-f", changed, "-o", "json")
	if r.code != 1 {
		t.Fatalf("kubectl gitops diff exited %d, want 1; stderr %s", r.code, r.stderr)
	}
	var ours []string
	for _, d := range r.report(t).Objects {
		if d.Action == diff.Delete {
			continue
		}
		ours = append(ours, diffHeaderName(d.Diff))
	}
	slices.Sort(ours)
	if len(theirs) != 100 {
		t.Errorf("kubectl diff reports %d objects, the workload changes 100", len(theirs))
	}
	if !slices.Equal(ours, theirs) {
		t.Errorf("changed sets differ:\n ours only: %v\n kubectl only: %v", diffMinus(ours, theirs), diffMinus(theirs, ours))
	}
}

// kubectlDiff runs `kubectl diff -f file` and returns the object names of
// its "diff -u -N LIVE MERGED" headers (like "apps.v1.Deployment.bench.web-0"),
// sorted, and its exit code.
func kubectlDiff(t *testing.T, kubectl, kubeconfig, file string) ([]string, int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), kubectl, "--kubeconfig", kubeconfig, "diff", "-f", file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("kubectl diff: %v", err)
	}
	if code > 1 {
		t.Fatalf("kubectl diff exited %d: %s", code, diffTail(stderr.Bytes()))
	}
	var names []string
	for _, l := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(l, "diff -u -N ") {
			f := strings.Fields(l)
			names = append(names, filepath.Base(f[len(f)-1]))
		}
	}
	slices.Sort(names)
	return names, code
}

// diffHeaderName returns the object name of our "+++ git/<name>" header.
func diffHeaderName(d string) string {
	for _, l := range strings.Split(d, "\n") {
		if s, ok := strings.CutPrefix(l, "+++ "); ok {
			return s[strings.Index(s, "/")+1:]
		}
	}
	return ""
}

func diffMinus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

func diffTail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
