package agent

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/render"
)

func TestDepsReuse(t *testing.T) {
	src := gittest.NewRepo(t)
	src.WriteFile("app/kustomization.yaml", "resources:\n- cm.yaml\n- ../base\n").
		WriteFile("app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n").
		WriteFile("base/kustomization.yaml", "resources:\n- s.yaml\n").
		WriteFile("base/s.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n").
		WriteFile("other/x.yaml", "x: 1\n").
		WriteFile("README.md", "hello\n")
	first := src.Commit("first")
	repo, err := gitrepo.Open(src.Dir)
	if err != nil {
		t.Fatal(err)
	}
	tree := func(h string) *depFS {
		t.Helper()
		fsys, err := repo.TreeFS(plumbing.NewHash(h))
		if err != nil {
			t.Fatal(err)
		}
		return newDepFS(fsys)
	}
	d := tree(first)
	if _, err := render.FS(context.Background(), d, "app", render.Options{}); err != nil {
		t.Fatal(err)
	}
	recorded := d.recorded()
	if len(recorded) == 0 {
		t.Fatal("nothing recorded")
	}

	tests := []struct {
		name   string
		change func()
		same   bool
	}{
		{"no change", func() {}, true},
		{"a file outside the rendering", func() { src.WriteFile("other/x.yaml", "x: 2\n") }, true},
		{"a file at the root", func() { src.WriteFile("README.md", "bye\n") }, true},
		{"a resource", func() {
			src.WriteFile("app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: w}\n")
		}, false},
		{"a base's resource", func() { src.WriteFile("base/s.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n") }, false},
		{"a kustomization", func() { src.WriteFile("base/kustomization.yaml", "resources:\n- s.yaml\nnamePrefix: p-\n") }, false},
		{"a competing kustomization file", func() { src.WriteFile("app/kustomization.yml", "resources: []\n") }, false},
		{"a resource becomes a symlink", func() { src.Remove("app/cm.yaml").Symlink("app/cm.yaml", "../other/x.yaml") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src.Git("reset", "--quiet", "--hard", first)
			tt.change()
			h := src.Commit(tt.name)
			fsys, err := repo.TreeFS(plumbing.NewHash(h))
			if err != nil {
				t.Fatal(err)
			}
			if got := recorded.sameIn(fsys); got != tt.same {
				t.Errorf("sameIn = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestDepsUntrackable(t *testing.T) {
	d := newDepFS(fstest.MapFS{"a.yaml": {Data: []byte("x")}})
	if _, err := d.ReadFile("a.yaml"); err != nil {
		t.Fatal(err)
	}
	if d.recorded() != nil {
		t.Error("a file system without Git hashes was trusted")
	}
	if (deps{}).sameIn(fstest.MapFS{}) {
		t.Error("an empty recording proved a match")
	}
}
