package gitrepo

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

// TestFetchCommit fetches a commit the shallow clone does not have, by hash,
// over file:// and HTTP, with and without the server's permission.
func TestFetchCommit(t *testing.T) {
	for _, tr := range servers {
		for _, allow := range []bool{true, false} {
			name := tr.name + "/allowed"
			if !allow {
				name = tr.name + "/refused"
			}
			t.Run(name, func(t *testing.T) {
				src := gittest.NewRepo(t)
				c1 := src.WriteFile("a.yaml", "v: 1\n").Commit("c1")
				c2 := src.WriteFile("a.yaml", "v: 2\n").Commit("c2")
				bare := src.Bare()
				if allow {
					gittest.Git(t, bare, "config", "uploadpack.allowReachableSHA1InWant", "true")
				}
				url, _ := tr.serve(t, bare)
				ctx := testCtx(t)
				r, err := Clone(ctx, CloneOptions{URL: url, Branch: "main", Depth: 1})
				if err != nil {
					t.Fatal(err)
				}
				if err := r.FetchCommit(ctx, hash(c2)); err != nil {
					t.Fatalf("FetchCommit of a commit already present: %v", err)
				}

				err = r.FetchCommit(ctx, hash(c1))
				if !allow {
					if !errors.Is(err, ErrFetchByHashUnsupported) {
						t.Fatalf("FetchCommit err = %v, want ErrFetchByHashUnsupported", err)
					}
					t.Logf("error: %v", err)
					return
				}
				if err != nil {
					t.Fatalf("FetchCommit: %v", err)
				}
				fsys, err := r.TreeFS(hash(c1))
				if err != nil {
					t.Fatal(err)
				}
				if b, err := fs.ReadFile(fsys, "a.yaml"); err != nil || string(b) != "v: 1\n" {
					t.Errorf("a.yaml at c1 = %q, %v", b, err)
				}
				wantHead(t, r, c2, "FetchCommit leaves the head alone")
				if refs, _ := r.Git().References(); refs != nil {
					_ = refs.ForEach(func(ref *plumbing.Reference) error {
						if ref.Name().String() == "refs/gitward/fetch/"+c1 {
							t.Errorf("temporary ref %s left behind", ref.Name())
						}
						return nil
					})
				}
			})
		}
	}
}
