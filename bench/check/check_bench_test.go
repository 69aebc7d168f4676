package check

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/gitward/gitward/pkg/check"
	"github.com/gitward/gitward/pkg/policy"
)

const generator = "/work/shared/bench/gen-objects.py"

// repo writes a repository with one environment holding n objects and the
// 20 policies, and returns its root.
func repo(b *testing.B, n string) string {
	b.Helper()
	root := b.TempDir()
	env := filepath.Join(root, "overlays", "bench")
	if err := os.MkdirAll(env, 0o755); err != nil {
		b.Fatal(err)
	}
	gen := os.Getenv("GEN_OBJECTS")
	if gen == "" {
		gen = generator
	}
	if out, err := exec.Command("python3", gen, filepath.Join(env, "objects.yaml"), n).CombinedOutput(); err != nil {
		b.Skipf("generator %s: %v: %s", gen, err, out)
	}
	if err := os.WriteFile(filepath.Join(env, "kustomization.yaml"), []byte("resources:\n- objects.yaml\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(root, "policies"), os.DirFS("policies")); err != nil {
		b.Fatal(err)
	}
	return root
}

func objects(b *testing.B, root string) []*unstructured.Unstructured {
	b.Helper()
	f, err := os.Open(filepath.Join(root, "overlays", "bench", "objects.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out []*unstructured.Unstructured
	dec := yaml.NewYAMLOrJSONDecoder(f, 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			break
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
	return out
}

// BenchmarkEvaluate2000x20 is pkg/policy alone: 2,000 objects, 20 policies.
func BenchmarkEvaluate2000x20(b *testing.B) {
	root := repo(b, "2000")
	objs := objects(b, root)
	set, err := policy.Load(os.DirFS(root), "policies")
	if err != nil {
		b.Fatal(err)
	}
	if set.Len() != 20 {
		b.Fatalf("loaded %d policies, want 20", set.Len())
	}
	cpu := startCPU(b)
	for b.Loop() {
		rep, err := set.Evaluate(context.Background(), objs, policy.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(rep.Results)), "results")
	}
	cpu.report(b)
}

// BenchmarkCheck2000x20 is the whole check: render, built-in checks,
// loading and evaluating the policies.
func BenchmarkCheck2000x20(b *testing.B) {
	root := repo(b, "2000")
	cpu := startCPU(b)
	for b.Loop() {
		rep, err := check.Run(context.Background(), check.Options{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Environments) != 1 || rep.Environments[0].Objects != 2001 {
			b.Fatalf("rendered %+v", rep.Environments)
		}
	}
	cpu.report(b)
}

// cpuClock measures the process's CPU time (user+system) over the timed
// loop: the machine is shared, so wall time includes waiting for a core.
type cpuClock struct{ start time.Duration }

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU(b *testing.B) cpuClock {
	b.ResetTimer()
	return cpuClock{start: cpuTime(b)}
}

func (c cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(cpuTime(b)-c.start)/float64(b.N), "cpu-ns/op")
}
