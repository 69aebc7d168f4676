package overlayfs

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestOverlay(t *testing.T) {
	base := fstest.MapFS{
		"a/keep.yaml": {Data: []byte("keep")},
		"a/gone.yaml": {Data: []byte("gone")},
		"a/old.yaml":  {Data: []byte("old")},
	}
	o := New(base, map[string][]byte{"a/gone.yaml": nil, "a/old.yaml": []byte("new")})
	o.Set("b/c/kustomization.yaml", []byte("resources: []\n"))

	if err := fstest.TestFS(o, "a/keep.yaml", "a/old.yaml", "b/c/kustomization.yaml"); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(o, "a/gone.yaml"); err == nil {
		t.Error("a deleted file is still there")
	}
	if b, _ := fs.ReadFile(o, "a/old.yaml"); string(b) != "new" {
		t.Errorf("a/old.yaml = %q, want the overlay's content", b)
	}
	if !o.Changed("b/c/kustomization.yaml") || o.Changed("a/keep.yaml") {
		t.Error("Changed does not tell the overlay's files from the base's")
	}
}
