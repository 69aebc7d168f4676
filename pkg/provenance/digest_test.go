package provenance

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
)

func TestDigestFormat(t *testing.T) {
	d := mustDigest(t, readYAML(t, "deployment.yaml"))
	if !IsDigest(d) {
		t.Fatalf("Digest = %q, not sha256:<64 hex>", d)
	}
	// The encoding is canonical JSON; pin it, so that a change to the encoding
	// (which re-applies every object) is a deliberate one.
	got := mustDigest(t, map[string]any{"kind": "ConfigMap", "apiVersion": "v1", "data": map[string]any{"a": "1"}})
	canon := `{"apiVersion":"v1","data":{"a":"1"},"kind":"ConfigMap"}`
	if want := sha256Hex(canon); got != want {
		t.Fatalf("Digest = %s, want %s (sha256 of %s)", got, want, canon)
	}
}

func TestDigestEqual(t *testing.T) {
	rendered := readYAML(t, "deployment.yaml")
	tests := []struct {
		name string
		obj  func(t *testing.T) map[string]any
	}{
		{name: "same YAML decoded again", obj: func(t *testing.T) map[string]any { return readYAML(t, "deployment.yaml") }},
		{name: "JSON, other key order, int64 numbers, 8080.0 and 1e1", obj: func(t *testing.T) map[string]any { return readJSON(t, "deployment.json") }},
		{name: "JSON decoded by sigs.k8s.io/yaml (float64)", obj: func(t *testing.T) map[string]any { return readYAML(t, "deployment.json") }},
		{name: "json.Number", obj: func(t *testing.T) map[string]any {
			b, _ := json.Marshal(rendered)
			var m map[string]any
			dec := json.NewDecoder(strings.NewReader(string(b)))
			dec.UseNumber()
			if err := dec.Decode(&m); err != nil {
				t.Fatal(err)
			}
			return m
		}},
		{name: "live object: status, server metadata, contract keys, last-applied, null annotation", obj: func(t *testing.T) map[string]any { return readYAML(t, "deployment-live.yaml") }},
		{name: "empty labels and annotations are absent", obj: func(t *testing.T) map[string]any {
			m := runtime.DeepCopyJSON(rendered)
			md := m["metadata"].(map[string]any)
			md["annotations"] = map[string]any{}
			return m
		}},
		{name: "annotations holding only contract keys are absent", obj: func(t *testing.T) map[string]any {
			m := runtime.DeepCopyJSON(rendered)
			m["metadata"].(map[string]any)["annotations"] = map[string]string{AnnotationCommit: sha1Commit}
			return m
		}},
		{name: "null value is absent", obj: func(t *testing.T) map[string]any {
			m := runtime.DeepCopyJSON(rendered)
			m["spec"].(map[string]any)["paused"] = nil
			return m
		}},
		{name: "Go ints of several widths", obj: func(t *testing.T) map[string]any {
			m := runtime.DeepCopyJSON(rendered)
			m["spec"].(map[string]any)["replicas"] = int32(3)
			m["spec"].(map[string]any)["revisionHistoryLimit"] = uint8(10)
			return m
		}},
	}
	want := mustDigest(t, rendered)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustDigest(t, tt.obj(t)); got != want {
				t.Fatalf("Digest = %s, want %s", got, want)
			}
		})
	}
}

func TestDigestDiffers(t *testing.T) {
	rendered := readYAML(t, "deployment.yaml")
	set := func(path []string, v any) func(map[string]any) {
		return func(m map[string]any) {
			for _, p := range path[:len(path)-1] {
				m = m[p].(map[string]any)
			}
			m[path[len(path)-1]] = v
		}
	}
	tests := []struct {
		name   string
		change func(map[string]any)
	}{
		{"replicas", set([]string{"spec", "replicas"}, int64(4))},
		{"replicas as string", set([]string{"spec", "replicas"}, "3")},
		{"float", set([]string{"spec", "replicas"}, 3.5)},
		{"user label", set([]string{"metadata", "labels", "tier"}, "front")},
		{"other gitward.dev annotation is content", set([]string{"metadata", "annotations"}, map[string]any{AnnotationPruneOptIn: PruneAllow})},
		{"name", set([]string{"metadata", "name"}, "web2")},
		{"emptyDir removed", func(m map[string]any) {
			vol := m["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["volumes"].([]any)[0].(map[string]any)
			delete(vol, "emptyDir")
		}},
		{"empty list added", set([]string{"spec", "template", "spec", "initContainers"}, []any{})},
		{"string with quote vs escaped", set([]string{"metadata", "name"}, `we"b`)},
	}
	want := mustDigest(t, rendered)
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := runtime.DeepCopyJSON(rendered)
			tt.change(m)
			got := mustDigest(t, m)
			if got == want {
				t.Fatalf("Digest did not change")
			}
			if other, ok := seen[got]; ok {
				t.Fatalf("same digest as %q", other)
			}
			seen[got] = tt.name
		})
	}
}

func TestDigestDoesNotModify(t *testing.T) {
	live := readYAML(t, "deployment-live.yaml")
	before := runtime.DeepCopyJSON(live)
	mustDigest(t, live)
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(live)
	if string(b1) != string(b2) {
		t.Fatal("Digest modified its argument")
	}
}

func TestDigestErrors(t *testing.T) {
	tests := []struct {
		name    string
		obj     map[string]any
		wantErr string
	}{
		{"NaN", map[string]any{"spec": map[string]any{"x": math.NaN()}}, "at spec.x: number NaN is not finite"},
		{"Inf in list", map[string]any{"spec": map[string]any{"xs": []any{1, math.Inf(1)}}}, "at spec.xs[1]: number +Inf is not finite"},
		{"Go struct", map[string]any{"data": struct{}{}}, "at data: unsupported value of Go type struct {}"},
		{"bad json.Number", map[string]any{"n": json.Number("1e999")}, `at n: number "1e999" is not a finite float64`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Digest(tt.obj)
			if !errors.Is(err, ErrUndigestable) {
				t.Fatalf("Digest error %v does not wrap ErrUndigestable", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Digest error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestCanonicalEncoding(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"int", 3, "3"},
		{"float integral", 3.0, "3"},
		{"negative zero", math.Copysign(0, -1), "0"},
		{"float", 0.25, "0.25"},
		{"big float", 1e21, "1e+21"},
		{"2^63 as float", math.Pow(2, 63), "9.223372036854776e+18"},
		{"2^63 as uint64", uint64(1) << 63, "9.223372036854776e+18"},
		{"int64 beyond 2^53 is exact", int64(1000000000000000100), "1000000000000000100"},
		{"max uint64", uint64(math.MaxUint64), "18446744073709551615"},
		{"json.Number int", json.Number("42"), "42"},
		{"json.Number float", json.Number("4.20e1"), "42"},
		{"string escapes", "a\"b\\c\n\t\x01é", `"a\"b\\c\n\t\u0001é"`},
		{"nested", map[string]any{"b": []any{nil, true, false}, "a": map[string]any{}, "c": nil}, `{"a":{},"b":[null,true,false]}`},
		{"string slice", []string{"x", "y"}, `["x","y"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &encoder{}
			if err := e.encodeValue(tt.v, plainMap, 0); err != nil {
				t.Fatal(err)
			}
			if string(e.buf) != tt.want {
				t.Fatalf("encoding = %s, want %s", e.buf, tt.want)
			}
		})
	}
}

func TestIsDigest(t *testing.T) {
	good := "sha256:" + strings.Repeat("0a", 32)
	for s, want := range map[string]bool{
		good:                                 true,
		strings.ToUpper(good):                false,
		good[:len(good)-1]:                   false,
		good + "0":                           false,
		"sha512:" + good[7:]:                 false,
		strings.Repeat("0a", 32):             false,
		"sha256:" + strings.Repeat("zz", 32): false,
	} {
		if got := IsDigest(s); got != want {
			t.Errorf("IsDigest(%q) = %v, want %v", s, got, want)
		}
	}
}
