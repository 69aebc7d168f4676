package gitrepo

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

func TestResolve(t *testing.T) {
	h := newHistory(t)
	r := mustOpen(t, h.src.Dir)
	tests := []struct {
		name, rev, want string
		wantErr         error
	}{
		{name: "HEAD", rev: "HEAD", want: h.c5},
		{name: "branch", rev: "main", want: h.c5},
		{name: "other branch", rev: "feature", want: h.f2},
		{name: "full ref", rev: "refs/heads/feature", want: h.f2},
		{name: "lightweight tag", rev: "v1", want: h.c2},
		{name: "annotated tag is peeled", rev: "v2", want: h.c3},
		{name: "full hash", rev: h.c3, want: h.c3},
		{name: "short hash", rev: h.c3[:7], want: h.c3},
		{name: "tilde", rev: "HEAD~1", want: h.m},
		{name: "tilde two", rev: "main~2", want: h.c3},
		{name: "second parent", rev: "HEAD~1^2", want: h.f2},
		{name: "caret", rev: "feature^", want: h.f1},
		{name: "unknown name", rev: "nope", wantErr: ErrRevisionNotFound},
		{name: "beyond the root", rev: "HEAD~10", wantErr: ErrRevisionNotFound},
		{name: "empty", rev: "", wantErr: ErrRevisionNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Resolve(tt.rev)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Resolve(%q) = %s, %v; want error %v", tt.rev, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("Resolve(%q) = %s, %v; want %s", tt.rev, got, err, tt.want)
			}
		})
	}
}

func TestHeadInCheckout(t *testing.T) {
	h := newHistory(t)
	// A second checkout made by git clone has a local main and only the
	// remote-tracking origin/feature.
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Git(t, h.src.Dir, "clone", "--quiet", h.src.Dir, clone)
	h.src.WriteFile("later.txt", "x\n").Commit("not fetched by the clone")

	tests := []struct {
		name, dir, branch, want string
		wantErr                 error
	}{
		{name: "local branch", dir: h.src.Dir, branch: "main", want: h.src.Head()},
		{name: "default is HEAD's branch", dir: h.src.Dir, branch: "", want: h.src.Head()},
		{name: "another local branch", dir: h.src.Dir, branch: "feature", want: h.f2},
		{name: "clone: local main", dir: clone, branch: "main", want: h.c5},
		{name: "clone: falls back to origin/feature", dir: clone, branch: "feature", want: h.f2},
		{name: "unknown branch", dir: h.src.Dir, branch: "nope", wantErr: ErrRevisionNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mustOpen(t, tt.dir).Head(tt.branch)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Head(%q) = %s, %v; want error %v", tt.branch, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("Head(%q) = %s, %v; want %s", tt.branch, got, err, tt.want)
			}
		})
	}
}

func TestHeadDetached(t *testing.T) {
	h := newHistory(t)
	h.src.Git("checkout", "--quiet", "--detach", h.c2)
	if _, err := mustOpen(t, h.src.Dir).Head(""); !errors.Is(err, ErrNoBranch) {
		t.Fatalf("Head(\"\") on a detached HEAD: err = %v, want ErrNoBranch", err)
	}
}

func TestOpen(t *testing.T) {
	h := newHistory(t)
	bare := h.src.Bare()
	worktree := filepath.Join(t.TempDir(), "wt")
	h.src.Git("worktree", "add", "--quiet", "--detach", worktree, "main")
	tests := []struct {
		name, dir string
		bare      bool
	}{
		{name: "linked worktree", dir: worktree},
		{name: "a file inside the checkout", dir: filepath.Join(h.src.Dir, "app", "config.yaml")},
		{name: "checkout root", dir: h.src.Dir},
		{name: "folder inside the checkout", dir: filepath.Join(h.src.Dir, "app")},
		{name: "bare repository", dir: bare, bare: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustOpen(t, tt.dir)
			if r.Bare() != tt.bare {
				t.Errorf("Bare() = %v, want %v", r.Bare(), tt.bare)
			}
			got, err := r.Head("main")
			if err != nil || got.String() != h.c5 {
				t.Errorf("Head(main) = %s, %v; want %s", got, err, h.c5)
			}
		})
	}
	if _, err := Open(t.TempDir()); err == nil {
		t.Error("Open of a folder outside any repository: want an error")
	}
}

func TestCommit(t *testing.T) {
	h := newHistory(t)
	r := mustOpen(t, h.src.Dir)
	c, err := r.Commit(hash(h.m))
	if err != nil {
		t.Fatal(err)
	}
	if c.Message != "merge feature\n" || len(c.ParentHashes) != 2 {
		t.Errorf("Commit(m) = %q with %d parents; want the merge", c.Message, len(c.ParentHashes))
	}
	missing := hash("0123456789012345678901234567890123456789")
	if _, err := r.Commit(missing); !errors.Is(err, ErrCommitNotFound) {
		t.Errorf("Commit(unknown) err = %v, want ErrCommitNotFound", err)
	}
}
