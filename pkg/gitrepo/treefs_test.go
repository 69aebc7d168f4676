package gitrepo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

// treeFixture has a clean commit (only links that stay inside the tree) and
// a bad one that adds escaping, looping and dangling links and a submodule.
type treeFixture struct {
	src        *gittest.Repo
	clean, bad string
}

func newTreeFixture(t testing.TB) *treeFixture {
	f := &treeFixture{src: gittest.NewRepo(t)}
	r := f.src
	r.WriteFile("README.md", "# fixture\n").
		WriteFile("empty.txt", "").
		WriteFile("app/base/kustomization.yaml", "resources: [deploy.yaml]\n").
		WriteFile("app/base/deploy.yaml", "kind: Deployment\n").
		WriteFile("app/overlays/prod/kustomization.yaml", "resources: [base]\n").
		Symlink("app/overlays/prod/base", "../../base").
		Symlink("app/overlays/prod/deploy-link.yaml", "../../base/deploy.yaml").
		Symlink("app/overlays/prod/chain", "base").
		WriteFile("bin/run.sh", "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(r.Dir, "bin", "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.clean = r.Commit("clean tree")

	r.Symlink("escape/abs", "/etc/passwd").
		Symlink("escape/up", "../../outside.yaml").
		Symlink("escape/through", "../..").
		Symlink("escape/loop", "loop").
		Symlink("escape/dangling", "nothing.yaml")
	// A gitlink; its empty folder is what git leaves for an unpopulated
	// submodule (without it, Commit's git add -A would drop the entry).
	r.Git("update-index", "--add", "--cacheinfo", "160000,"+f.clean+",sub")
	if err := os.Mkdir(filepath.Join(r.Dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.bad = r.Commit("bad links and a submodule")
	return f
}

func mustTreeFS(t testing.TB, r *Repo, commit string) fs.FS {
	t.Helper()
	fsys, err := r.TreeFS(hash(commit))
	if err != nil {
		t.Fatalf("TreeFS(%s): %v", commit, err)
	}
	return fsys
}

func TestTreeFSFstest(t *testing.T) {
	f := newTreeFixture(t)
	fsys := mustTreeFS(t, mustOpen(t, f.src.Dir), f.clean)
	if err := fstest.TestFS(fsys,
		"README.md", "empty.txt", "app/base/deploy.yaml", "app/overlays/prod/base",
		"app/overlays/prod/deploy-link.yaml", "bin/run.sh"); err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(fsys, "app/overlays")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := fs.ReadFile(sub, "prod/base/deploy.yaml"); err != nil || string(b) != "kind: Deployment\n" {
		t.Errorf("fs.Sub: ReadFile through a link = %q, %v", b, err)
	}
}

func TestTreeFSRead(t *testing.T) {
	f := newTreeFixture(t)
	fsys := mustTreeFS(t, mustOpen(t, f.src.Dir), f.bad)
	tests := []struct {
		name, path, want string
		wantErr          error
		wantMsg          []string // substrings of the error
	}{
		{name: "file", path: "README.md", want: "# fixture\n"},
		{name: "empty file", path: "empty.txt", want: ""},
		{name: "through a folder link", path: "app/overlays/prod/base/deploy.yaml", want: "kind: Deployment\n"},
		{name: "file link", path: "app/overlays/prod/deploy-link.yaml", want: "kind: Deployment\n"},
		{name: "chain of links", path: "app/overlays/prod/chain/kustomization.yaml", want: "resources: [deploy.yaml]\n"},
		{name: "missing", path: "nope.yaml", wantErr: fs.ErrNotExist},
		{name: "through a file", path: "README.md/x", wantErr: fs.ErrNotExist},
		{name: "invalid path", path: "/README.md", wantErr: fs.ErrInvalid},
		{name: "dot-dot path", path: "app/../README.md", wantErr: fs.ErrInvalid},
		{name: "absolute link", path: "escape/abs", wantErr: ErrEscapesTree,
			wantMsg: []string{"escape/abs", "/etc/passwd"}},
		{name: "link above the root", path: "escape/up", wantErr: ErrEscapesTree,
			wantMsg: []string{"escape/up", "../../outside.yaml"}},
		{name: "folder link above the root", path: "escape/through/etc/passwd", wantErr: ErrEscapesTree,
			wantMsg: []string{"escape/through -> ../.."}},
		{name: "link loop", path: "escape/loop", wantErr: errTooManyLinks},
		{name: "dangling link", path: "escape/dangling", wantErr: fs.ErrNotExist},
		{name: "submodule", path: "sub", wantErr: ErrSubmodule, wantMsg: []string{f.clean}},
		{name: "inside a submodule", path: "sub/README.md", wantErr: ErrSubmodule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := fs.ReadFile(fsys, tt.path)
			if tt.wantErr == nil {
				if err != nil || string(b) != tt.want {
					t.Fatalf("ReadFile(%s) = %q, %v; want %q", tt.path, b, err, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ReadFile(%s) err = %v; want %v", tt.path, err, tt.wantErr)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if _, err := fsys.Open(tt.path); !errors.Is(err, tt.wantErr) {
				t.Errorf("Open(%s) err = %v; want %v like ReadFile", tt.path, err, tt.wantErr)
			}
		})
	}
}

func TestTreeFSStat(t *testing.T) {
	f := newTreeFixture(t)
	fsys := mustTreeFS(t, mustOpen(t, f.src.Dir), f.bad).(fs.ReadLinkFS)
	tests := []struct {
		name, path string
		lstat      bool
		mode       fs.FileMode
		size       int64
	}{
		{name: "file", path: "README.md", mode: 0o644, size: 10},
		{name: "executable", path: "bin/run.sh", mode: 0o755, size: 10},
		{name: "folder", path: "app", mode: fs.ModeDir | 0o755},
		{name: "root", path: ".", mode: fs.ModeDir | 0o755},
		{name: "stat follows a link", path: "app/overlays/prod/deploy-link.yaml", mode: 0o644, size: 17},
		{name: "stat follows a folder link", path: "app/overlays/prod/base", mode: fs.ModeDir | 0o755},
		{name: "lstat keeps a link", path: "app/overlays/prod/base", lstat: true, mode: fs.ModeSymlink | 0o777, size: 10},
		{name: "lstat of an escaping link", path: "escape/abs", lstat: true, mode: fs.ModeSymlink | 0o777, size: 11},
		{name: "submodule", path: "sub", mode: fs.ModeIrregular},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stat := fs.Stat
			if tt.lstat {
				stat = func(fs.FS, string) (fs.FileInfo, error) { return fsys.Lstat(tt.path) }
			}
			fi, err := stat(fsys, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != tt.mode || fi.Size() != tt.size {
				t.Errorf("mode %v size %d; want %v size %d", fi.Mode(), fi.Size(), tt.mode, tt.size)
			}
		})
	}
	if target, err := fsys.ReadLink("escape/up"); err != nil || target != "../../outside.yaml" {
		t.Errorf("ReadLink(escape/up) = %q, %v", target, err)
	}
	if _, err := fsys.ReadLink("README.md"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ReadLink of a file: err = %v, want fs.ErrInvalid", err)
	}
	if _, err := fs.Stat(fsys, "escape/up"); !errors.Is(err, ErrEscapesTree) {
		t.Errorf("Stat of an escaping link: err = %v, want ErrEscapesTree", err)
	}
}

func TestTreeFSReadDir(t *testing.T) {
	f := newTreeFixture(t)
	fsys := mustTreeFS(t, mustOpen(t, f.src.Dir), f.bad)
	tests := []struct {
		path string
		want []string // name and type
	}{
		{path: ".", want: []string{"README.md ----------", "app d---------", "bin d---------",
			"empty.txt ----------", "escape d---------", "sub ?---------"}},
		{path: "app/overlays/prod", want: []string{"base L---------", "chain L---------",
			"deploy-link.yaml L---------", "kustomization.yaml ----------"}},
		{path: "app/overlays/prod/chain", want: []string{"deploy.yaml ----------", "kustomization.yaml ----------"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			entries, err := fs.ReadDir(fsys, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Name()+" "+e.Type().String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ReadDir(%s) =\n%q\nwant\n%q", tt.path, got, tt.want)
			}
		})
	}
	if _, err := fs.ReadDir(fsys, "README.md"); err == nil {
		t.Error("ReadDir of a file: want an error")
	}
}

func TestTreeFSUnknownCommit(t *testing.T) {
	f := newTreeFixture(t)
	_, err := mustOpen(t, f.src.Dir).TreeFS(hash("0123456789012345678901234567890123456789"))
	if !errors.Is(err, ErrCommitNotFound) {
		t.Fatalf("TreeFS(unknown) err = %v, want ErrCommitNotFound", err)
	}
}

// TestConcurrentUse reads one tree from many goroutines while others walk
// history on the same Repo (run with -race).
func TestConcurrentUse(t *testing.T) {
	h := newHistory(t)
	r, err := Clone(testCtx(t), CloneOptions{URL: gittest.FileURL(h.src.Bare())})
	if err != nil {
		t.Fatal(err)
	}
	fsys := mustTreeFS(t, r, h.c5)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if b, err := fs.ReadFile(fsys, "app/config.yaml"); err != nil || string(b) != "v: 5\n" {
					t.Errorf("ReadFile = %q, %v", b, err)
					return
				}
				if ok, err := r.IsAncestor(hash(h.f1), hash(h.c5)); !ok || err != nil {
					t.Errorf("IsAncestor = %v, %v", ok, err)
					return
				}
				if _, err := r.TreeFS(hash(h.c3)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
