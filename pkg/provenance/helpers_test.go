package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// readYAML decodes a testdata file with sigs.k8s.io/yaml: numbers become
// float64.
func readYAML(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// readJSON decodes a testdata file as the API machinery does: integral
// numbers become int64, others float64.
func readJSON(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := utiljson.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// mustDigest returns Digest(obj) or fails the test.
func mustDigest(t testing.TB, obj map[string]any) string {
	t.Helper()
	d, err := Digest(obj)
	if err != nil {
		t.Fatalf("Digest: %v", err)
	}
	return d
}

// deployment returns the rendered testdata Deployment as an Unstructured.
func deployment(t testing.TB) *unstructured.Unstructured {
	t.Helper()
	return &unstructured.Unstructured{Object: readYAML(t, "deployment.yaml")}
}

// sha256Hex returns the digest string of the bytes of s.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return DigestPrefix + hex.EncodeToString(sum[:])
}
