package gitrepo

import (
	"context"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

// history is a fixture with a branch, a merge, tags and an unrelated root:
//
//	main:    c1 - c2 - c3 - m - c5
//	               \        /
//	feature:        f1 - f2
//	other:   o1 (orphan)
//
// Tags: v1 (lightweight) on c2, v2 (annotated) on c3.
type history struct {
	src                           *gittest.Repo
	c1, c2, c3, m, c5, f1, f2, o1 string
}

func newHistory(t *testing.T) *history {
	t.Helper()
	h := &history{src: gittest.NewRepo(t)}
	r := h.src
	h.c1 = r.WriteFile("app/config.yaml", "v: 1\n").Commit("c1")
	h.c2 = r.WriteFile("app/config.yaml", "v: 2\n").Commit("c2")
	r.Git("checkout", "--quiet", "-b", "feature")
	h.f1 = r.WriteFile("feature.txt", "f1\n").Commit("f1")
	h.f2 = r.WriteFile("feature.txt", "f2\n").Commit("f2")
	r.Git("checkout", "--quiet", "main")
	h.c3 = r.WriteFile("app/config.yaml", "v: 3\n").Commit("c3")
	r.Git("merge", "--quiet", "--no-ff", "-m", "merge feature", "feature")
	h.m = r.Head()
	h.c5 = r.WriteFile("app/config.yaml", "v: 5\n").Commit("c5")
	r.Git("checkout", "--quiet", "--orphan", "other")
	r.Git("rm", "-r", "--quiet", "-f", ".")
	h.o1 = r.WriteFile("other.txt", "o1\n").Commit("o1")
	r.Git("checkout", "--quiet", "main")
	r.Git("tag", "v1", h.c2)
	r.Git("tag", "-a", "-m", "release 2", "v2", h.c3)
	return h
}

// testCtx bounds network work in a test; the deadline is a safety net for a
// hung transfer, never an assertion.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func hash(s string) plumbing.Hash { return plumbing.NewHash(s) }

func mustOpen(t *testing.T, dir string) *Repo {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return r
}
