package provenance

import (
	"encoding/json"
	"math"
	"testing"

	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// FuzzDigest checks that the digest survives re-serialisation: a document
// decoded from YAML, written back as JSON and as YAML and decoded again (by
// the API machinery's JSON decoder, which yields int64, and by
// sigs.k8s.io/yaml, which yields float64) digests the same.
//
// Documents holding an integral number beyond ±2^53 are skipped: decoded into
// a float64 it is already rounded, and JSON writes the rounded float in its
// shortest form, which an integer decoder reads as a different integer.
// Digest keeps integers exact rather than rounding them like floats, so that
// a changed large integer is never mistaken for an unchanged one.
func FuzzDigest(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: y}}\ndata: {k: v}\n"))
	f.Add([]byte(`{"a": 1.0, "b": [1e3, -0, 0.1, null], "c": {"d": {}}, "metadata": {"annotations": {}}}`))
	f.Add([]byte("spec:\n  replicas: 3\n  big: 12345678901234567890\n  f: 1e21\n  s: \"\\x01\\u00e9\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var obj map[string]any
		if err := yaml.Unmarshal(data, &obj); err != nil || obj == nil || hasInexactInteger(obj) {
			return
		}
		want, err := Digest(obj)
		if err != nil {
			return // e.g. .nan or .inf: not JSON
		}
		js, err := json.Marshal(obj)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		var fromJSON map[string]any
		if err := utiljson.Unmarshal(js, &fromJSON); err != nil {
			t.Fatalf("re-decode JSON %s: %v", js, err)
		}
		if got := mustDigest(t, fromJSON); got != want {
			t.Fatalf("JSON round trip changed the digest\nJSON: %s", js)
		}
		ys, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatalf("yaml.Marshal: %v", err)
		}
		var fromYAML map[string]any
		if err := yaml.Unmarshal(ys, &fromYAML); err != nil {
			t.Fatalf("re-decode YAML %s: %v", ys, err)
		}
		if got := mustDigest(t, fromYAML); got != want {
			t.Fatalf("YAML round trip changed the digest\nYAML: %s", ys)
		}
	})
}

// hasInexactInteger reports whether v holds an integral float64 beyond ±2^53,
// where float64 no longer represents every integer.
func hasInexactInteger(v any) bool {
	switch v := v.(type) {
	case float64:
		return v == math.Trunc(v) && math.Abs(v) > 1<<53
	case map[string]any:
		for _, el := range v {
			if hasInexactInteger(el) {
				return true
			}
		}
	case []any:
		for _, el := range v {
			if hasInexactInteger(el) {
				return true
			}
		}
	}
	return false
}
