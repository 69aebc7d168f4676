// Package render_test benchmarks pkg/render against `kubectl kustomize`
// (see compare.sh and docs/benchmarks.md).
package render_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitward/gitward/pkg/render"
)

var treeDir = flag.String("tree", "", "TestWriteTree writes the benchmark tree into this folder (for compare.sh)")

// objects is the size of the generated base (plus one Namespace).
const objects = 2000

// overlay is the kustomization rendered by the benchmark.
const overlay = `resources:
- ../base
namePrefix: bench-
commonLabels:
  env: bench
images:
- name: nginx
  newTag: "1.27"
patches:
- target:
    kind: Deployment
  patch: |-
    - op: add
      path: /metadata/annotations
      value:
        rendered-by: bench
`

// writeTree generates the base with gen-objects.py, splits it into four
// files, and adds the overlay; it returns the overlay folder.
func writeTree(tb testing.TB, dir string) string {
	tb.Helper()
	gen, err := genScript()
	if err != nil {
		tb.Fatal(err)
	}
	base := filepath.Join(dir, "base")
	if err := os.MkdirAll(base, 0o755); err != nil {
		tb.Fatal(err)
	}
	all := filepath.Join(dir, "all.yaml")
	if out, err := exec.Command("python3", gen, all, "2000").CombinedOutput(); err != nil {
		tb.Fatalf("gen-objects.py: %v\n%s", err, out)
	}
	data, err := os.ReadFile(all)
	if err != nil {
		tb.Fatal(err)
	}
	docs := strings.Split(string(data), "---\n")
	const parts = 4
	kust := "resources:\n"
	for p := range parts {
		name := "objects-" + string(rune('a'+p)) + ".yaml"
		lo, hi := p*len(docs)/parts, (p+1)*len(docs)/parts
		if err := os.WriteFile(filepath.Join(base, name), []byte(strings.Join(docs[lo:hi], "---\n")), 0o644); err != nil {
			tb.Fatal(err)
		}
		kust += "- " + name + "\n"
	}
	if err := os.WriteFile(filepath.Join(base, "kustomization.yaml"), []byte(kust), 0o644); err != nil {
		tb.Fatal(err)
	}
	ov := filepath.Join(dir, "overlay")
	if err := os.MkdirAll(ov, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ov, "kustomization.yaml"), []byte(overlay), 0o644); err != nil {
		tb.Fatal(err)
	}
	return ov
}

// genScript finds /work/shared/bench/gen-objects.py, or GITWARD_GEN_OBJECTS.
func genScript() (string, error) {
	if p := os.Getenv("GITWARD_GEN_OBJECTS"); p != "" {
		return p, nil
	}
	p := "/work/shared/bench/gen-objects.py"
	_, err := os.Stat(p)
	return p, err
}

// TestWriteTree writes the benchmark tree for compare.sh, with our render
// of it in render.yaml (and, rendered with origins, in
// render-origins.yaml); it does nothing without -tree.
func TestWriteTree(t *testing.T) {
	if *treeDir == "" {
		t.Skip("no -tree folder given")
	}
	writeTree(t, *treeDir)
	for name, opts := range map[string]render.Options{
		"render.yaml":         {},
		"render-origins.yaml": {Origins: true},
	} {
		res, err := render.Dir(context.Background(), *treeDir, "overlay", opts)
		if err != nil {
			t.Fatal(err)
		}
		out, err := res.YAML()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*treeDir, name), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkRender2000 renders the overlay over 2,000 objects. Besides
// wall time it reports cpu-ns/op (user+system time of the process), which
// is what compare.sh sets against kubectl on a busy machine.
func BenchmarkRender2000(b *testing.B) {
	for _, o := range []struct {
		name string
		opts render.Options
	}{{"default", render.Options{}}, {"origins", render.Options{Origins: true}}} {
		b.Run(o.name, func(b *testing.B) { benchRender(b, o.opts) })
	}
}

func benchRender(b *testing.B, opts render.Options) {
	dir := b.TempDir()
	writeTree(b, dir)
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		res, err := render.Dir(ctx, dir, "overlay", opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Objects) != objects+1 {
			b.Fatalf("rendered %d objects, want %d", len(res.Objects), objects+1)
		}
		if _, err := res.YAML(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// cpuTime is the user+system CPU time used by this process so far.
func cpuTime() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
