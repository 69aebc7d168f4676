package inventory

import (
	"bytes"
	"os"
	"testing"
)

// TestManifestCRDInSync keeps manifests/agent/crd.yaml identical to the
// embedded CRD.
func TestManifestCRDInSync(t *testing.T) {
	b, err := os.ReadFile("../../manifests/agent/crd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, CRDYAML) {
		t.Error("manifests/agent/crd.yaml differs from pkg/inventory/sourcestates.yaml: copy it over")
	}
}
