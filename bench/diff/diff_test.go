//go:build e2e

// Package diff_test benchmarks `kubectl gitops diff` against `kubectl diff`
// side by side on the local control plane: 2,000 objects (ConfigMaps,
// Deployments, headless Services) applied with kubectl --server-side, then
// the variant with 5% changed compared by both tools. Run:
//
//	make tools && go test -tags e2e -run TestDiffBench -v -timeout 30m ./bench/diff/
//
// It prints both times and the ratio, and checks that both report the same
// objects. Figures go to docs/benchmarks.md ("## Diff").
package diff_test

import (
	"bytes"
	"errors"
	"flag"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gitward/gitward/tests/localcluster"
)

var (
	genScript = flag.String("gen", "/work/shared/bench/gen-objects.py", "the shared object generator")
	nObjects  = flag.String("n", "2000", "objects to generate")
	ourRuns   = flag.Int("runs", 5, "runs of kubectl gitops diff (the median is reported)")
	kubeRuns  = flag.Int("kubectl-runs", 1, "runs of kubectl diff (about two minutes each here)")
)

func TestDiffBench(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	o := localcluster.Options{}
	if err := o.Complete(); err != nil {
		t.Fatal(err)
	}
	kubectl := filepath.Join(o.BinDir, "kubectl")
	dir := t.TempDir()
	ours := filepath.Join(dir, "kubectl-gitops")
	build := exec.Command("go", "build", "-o", ours, "github.com/gitward/gitward/plugins/kubectl-gitops")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build kubectl-gitops: %v\n%s", err, out)
	}
	base, changed := filepath.Join(dir, "base.yaml"), filepath.Join(dir, "changed.yaml")
	for _, args := range [][]string{{*genScript, base, *nObjects}, {*genScript, changed, *nObjects, "20"}} {
		if out, err := exec.Command("python3", args...).CombinedOutput(); err != nil {
			t.Fatalf("gen-objects.py: %v\n%s", err, out)
		}
	}
	if out, err := exec.Command(kubectl, "--kubeconfig", c.Kubeconfig, "apply", "--server-side", "-f", base).CombinedOutput(); err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, out)
	}
	cache := filepath.Join(dir, "cache")
	// Warm both discovery caches once, untimed, so each tool is measured in
	// its steady state.
	run(t, ours, "--kubeconfig", c.Kubeconfig, "--cache-dir", cache, "diff", "-f", base)
	run(t, kubectl, "--kubeconfig", c.Kubeconfig, "--cache-dir", cache, "get", "ns", "bench")

	var ourTimes []time.Duration
	var ourSet []string
	for range *ourRuns {
		start := time.Now()
		out := run(t, ours, "--kubeconfig", c.Kubeconfig, "--cache-dir", cache, "diff", "-f", changed)
		ourTimes = append(ourTimes, time.Since(start))
		ourSet = headers(out, "+++ git/")
	}
	var kubeTimes []time.Duration
	var kubeSet []string
	for range *kubeRuns {
		start := time.Now()
		out := run(t, kubectl, "--kubeconfig", c.Kubeconfig, "--cache-dir", cache, "diff", "-f", changed)
		kubeTimes = append(kubeTimes, time.Since(start))
		kubeSet = headers(out, "diff -u -N ")
	}
	om, km := median(ourTimes), median(kubeTimes)
	t.Logf("objects: %s, changed: %d (kubectl diff reports %d)", *nObjects, len(ourSet), len(kubeSet))
	t.Logf("kubectl gitops diff -f: median %v of %v", om.Round(time.Millisecond), ourTimes)
	t.Logf("kubectl diff -f:        median %v of %v", km.Round(time.Millisecond), kubeTimes)
	t.Logf("ratio: %.1fx", float64(km)/float64(om))
	if !slices.Equal(ourSet, kubeSet) {
		t.Errorf("the tools report different objects: ours %d, kubectl %d", len(ourSet), len(kubeSet))
	}
}

// run runs a diff-like command; exit status 1 means "differences", not failure.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, stderr.String())
	}
	return stdout.String()
}

// headers returns the sorted object names of the lines starting with prefix
// (the last path element of the header's last field).
func headers(out, prefix string) []string {
	var names []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			f := strings.Fields(l)
			names = append(names, filepath.Base(f[len(f)-1]))
		}
	}
	sort.Strings(names)
	return names
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
