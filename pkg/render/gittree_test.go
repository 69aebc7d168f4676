package render_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/render"
)

// gitTree commits testdata plus extra symlinks to a fresh repository and
// returns the tree of that commit, as the agent and the diff see it.
func gitTree(t *testing.T, links map[string]string) fs.FS {
	t.Helper()
	r := gittest.NewRepo(t)
	err := fs.WalkDir(os.DirFS("testdata"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(os.DirFS("testdata"), p)
		r.WriteFile(p, string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, target := range links {
		r.Symlink(name, target)
	}
	head := r.Commit("fixtures")
	repo, err := gitrepo.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := repo.TreeFS(plumbing.NewHash(head))
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func TestGitTree(t *testing.T) {
	tree := gitTree(t, map[string]string{
		"linked":                  "overlays/dev",
		"evil/kustomization.yaml": "../../../etc/kustomization.yaml",
		"evil2/base":              "/etc",
	})
	ctx := context.Background()
	for _, c := range goldenCases {
		t.Run(c, func(t *testing.T) {
			want, err := os.ReadFile(goldenPath(c))
			if err != nil {
				t.Fatal(err)
			}
			res, err := render.FS(ctx, tree, c, render.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := res.YAML(); string(got) != string(want) {
				t.Errorf("render over the Git tree differs from %s:\n%s", goldenPath(c), got)
			}
		})
	}
	t.Run("symlink escaping the tree", func(t *testing.T) {
		for _, p := range []string{"evil", "evil2/base"} {
			if _, err := render.FS(ctx, tree, p, render.Options{}); !errors.Is(err, render.ErrEscapesRoot) {
				t.Errorf("%s: got %v, want ErrEscapesRoot", p, err)
			}
		}
	})
	t.Run("symlinked folder inside the tree", func(t *testing.T) {
		// As on disk, the folder is resolved through the link first, so
		// ../../base is relative to overlays/dev.
		res, err := render.FS(ctx, tree, "linked", render.Options{})
		if err != nil {
			t.Fatalf("linked: %v", err)
		}
		want, _ := os.ReadFile(goldenPath("overlays/dev"))
		if got, _ := res.YAML(); string(got) != string(want) {
			t.Errorf("linked renders differently from overlays/dev:\n%s", got)
		}
	})
}
