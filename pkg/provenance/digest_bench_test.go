package provenance

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
)

// BenchmarkDigest digests one typical Deployment per op, both as decoded
// from YAML and as a live object with status and managed fields.
func BenchmarkDigest(b *testing.B) {
	for _, name := range []string{"deployment.yaml", "deployment-live.yaml"} {
		obj := readYAML(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Digest(obj); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDigest2000 is one agent pass: 2,000 distinct objects per op.
func BenchmarkDigest2000(b *testing.B) {
	base := readYAML(b, "deployment.yaml")
	objs := make([]map[string]any, 2000)
	for i := range objs {
		o := runtime.DeepCopyJSON(base)
		o["metadata"].(map[string]any)["name"] = fmt.Sprintf("web-%d", i)
		objs[i] = o
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, o := range objs {
			if _, err := Digest(o); err != nil {
				b.Fatal(err)
			}
		}
	}
}
