package diff

import (
	"bytes"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// objs parses YAML documents separated by "---".
func objs(t *testing.T, docs ...string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, d := range docs {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(d), &m); err != nil {
			t.Fatalf("fixture: %v", err)
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out
}

// fixedMasker returns a Masker with a stable key.
func fixedMasker(t *testing.T) *Masker {
	t.Helper()
	m, err := NewMaskerFrom(bytes.NewReader(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func configMap(name, value string) string {
	return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ` + name + `
  namespace: app
data:
  key: "` + value + `"
`
}

func secret(name, b64 string) string {
	return `apiVersion: v1
kind: Secret
metadata:
  name: ` + name + `
  namespace: app
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"v1","kind":"Secret","data":{"password":"` + b64 + `"}}'
type: Opaque
data:
  password: ` + b64 + `
`
}
