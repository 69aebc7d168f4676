package gittest_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

func TestRepoIsDeterministic(t *testing.T) {
	build := func() (string, string) {
		r := gittest.NewRepo(t)
		c1 := r.WriteFile("a/b.yaml", "x: 1\n").Symlink("a/link", "b.yaml").Commit("one")
		c2 := r.Remove("a/link").Commit("two")
		return c1, c2
	}
	a1, a2 := build()
	b1, b2 := build()
	if a1 != b1 || a2 != b2 {
		t.Errorf("same fixture, different hashes: %s %s vs %s %s", a1, a2, b1, b2)
	}
	if len(a1) != 40 {
		t.Errorf("Commit returned %q, want a full hash", a1)
	}
}

// TestServeHTTP clones and pulls with the git CLI through the server.
func TestServeHTTP(t *testing.T) {
	src := gittest.NewRepo(t)
	src.WriteFile("a", "1").Commit("c1")
	bare := src.Bare()
	url := gittest.ServeHTTP(t, bare)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/repo.git") {
		t.Errorf("URL = %s", url)
	}
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Git(t, t.TempDir(), "clone", "--quiet", url, clone)
	c2 := src.WriteFile("a", "2").Commit("c2")
	src.Push(bare, "main")
	gittest.Git(t, clone, "pull", "--quiet", "--ff-only")
	if got := gittest.Git(t, clone, "rev-parse", "HEAD"); got != c2 {
		t.Errorf("after pull HEAD = %s, want %s", got, c2)
	}
}
