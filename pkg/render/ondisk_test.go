package render

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// TestMatchesKustomizeOnDisk renders each fixture through our file system
// and through kustomize's own on-disk one with the same options: the
// guards, the origin tracking and the fs.FS adapter must not change a byte.
func TestMatchesKustomizeOnDisk(t *testing.T) {
	for _, c := range []string{
		"base", "overlays/dev", "overlays/staging", "overlays/production", "images", "affixes",
		"patches", "generators", "labels", "namespace", "fidelity", "buildmeta", "openapi",
	} {
		t.Run(c, func(t *testing.T) {
			abs, err := filepath.Abs(filepath.Join("testdata", c))
			if err != nil {
				t.Fatal(err)
			}
			m, err := newKustomizer(nil).Run(filesys.MakeFsOnDisk(), abs)
			if err != nil {
				t.Fatal(err)
			}
			want, err := m.AsYaml()
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range []Options{{}, {Origins: true}} {
				res, err := Dir(context.Background(), "testdata", c, o)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := res.YAML()
				if !bytes.Equal(got, want) {
					t.Errorf("%+v: differs from kustomize on disk:\n--- got\n%s\n--- kustomize\n%s", o, got, want)
				}
			}
		})
	}
}
