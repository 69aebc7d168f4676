package gitrepo

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/objfile"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

// reuseFixture is a remote with branches main and other, a second remote,
// and a work folder dir (not yet created) for CloneOrReuse.
type reuseFixture struct {
	src             *gittest.Repo
	bare, url       string
	otherURL, other string // another repository and its head
	dir             string
}

func newReuseFixture(t *testing.T) *reuseFixture {
	t.Helper()
	f := &reuseFixture{src: gittest.NewRepo(t)}
	f.src.WriteFile("app/a.yaml", "v: 1\n").Commit("c1")
	f.src.Git("branch", "other")
	f.bare = f.src.Bare()
	f.url = gittest.FileURL(f.bare)
	o := gittest.NewRepo(t)
	f.other = o.WriteFile("b.yaml", "b\n").Commit("b1")
	f.otherURL = gittest.FileURL(o.Bare())
	f.dir = filepath.Join(t.TempDir(), "work", "prod")
	return f
}

func (f *reuseFixture) opts() CloneOptions {
	return CloneOptions{URL: f.url, Dir: f.dir, Branch: "main", Depth: 1}
}

// clone puts a clone of url's branch into the work folder, as a previous
// run of the agent would have.
func (f *reuseFixture) clone(t *testing.T, url, branch string) {
	t.Helper()
	if _, err := Clone(testCtx(t), CloneOptions{URL: url, Dir: f.dir, Branch: branch, Depth: 1}); err != nil {
		t.Fatal(err)
	}
}

// TestCloneOrReuse covers every state a killed or reconfigured agent can
// leave its work folder in: each must end in a clone at the remote's head.
func TestCloneOrReuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		// prepare leaves the work folder as a previous run would.
		prepare      func(t *testing.T, f *reuseFixture)
		wantReused   bool
		wantReplaced bool
	}{
		{name: "no folder", prepare: func(*testing.T, *reuseFixture) {}},
		{name: "empty folder", prepare: func(t *testing.T, f *reuseFixture) { mkdir(t, f.dir) }},
		{name: "sound clone of the same URL and branch", wantReused: true, prepare: func(t *testing.T, f *reuseFixture) {
			f.clone(t, f.url, "main")
		}},
		{name: "clone of another URL", wantReplaced: true, prepare: func(t *testing.T, f *reuseFixture) {
			f.clone(t, f.otherURL, "main")
		}},
		{name: "clone of another branch", wantReplaced: true, prepare: func(t *testing.T, f *reuseFixture) {
			f.clone(t, f.url, "other")
		}},
		{name: "HEAD missing", wantReplaced: true, prepare: func(t *testing.T, f *reuseFixture) {
			f.clone(t, f.url, "main")
			remove(t, filepath.Join(f.dir, "HEAD"))
		}},
		{name: "branch refs missing", wantReplaced: true, prepare: func(t *testing.T, f *reuseFixture) {
			f.clone(t, f.url, "main")
			remove(t, filepath.Join(f.dir, "refs"))
			remove(t, filepath.Join(f.dir, "packed-refs"))
			mkdir(t, filepath.Join(f.dir, "refs"))
		}},
		{name: "branch ref empty (killed while writing it)", wantReplaced: true, prepare: func(t *testing.T, f *reuseFixture) {
			f.clone(t, f.url, "main")
			write(t, filepath.Join(f.dir, "refs", "remotes", "origin", "main"), nil)
		}},
		{name: "only config written (killed at the start of a clone)", wantReplaced: true, prepare: func(t *testing.T, f *reuseFixture) {
			write(t, filepath.Join(f.dir, "config"), []byte("[core]\n\tbare = true\n"))
		}},
		{name: "pack truncated", wantReplaced: true, prepare: func(t *testing.T, f *reuseFixture) {
			f.clone(t, f.url, "main")
			for _, p := range packs(t, f.dir) {
				b, _ := os.ReadFile(p)
				write(t, p, b[:len(b)/2])
			}
		}},
		{name: "pack overwritten with zeros", wantReplaced: true, prepare: func(t *testing.T, f *reuseFixture) {
			f.clone(t, f.url, "main")
			for _, p := range packs(t, f.dir) {
				b, _ := os.ReadFile(p)
				copy(b[12:len(b)-20], make([]byte, len(b)))
				write(t, p, b)
			}
		}},
		{name: "head commit replaced by an object that does not verify", wantReplaced: true, prepare: func(t *testing.T, f *reuseFixture) {
			f.clone(t, f.url, "main")
			plantLooseObject(t, f.dir, f.src.Head())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newReuseFixture(t)
			tc.prepare(t, f)
			head := f.src.WriteFile("app/a.yaml", "v: 2\n").Commit("c2")
			f.src.Push(f.bare, "main")

			r, rep, err := CloneOrReuse(testCtx(t), f.opts())
			if err != nil {
				t.Fatalf("CloneOrReuse: %v", err)
			}
			wantHead(t, r, head, "after CloneOrReuse")
			if rep.Reused != tc.wantReused {
				t.Errorf("Reused = %v, want %v", rep.Reused, tc.wantReused)
			}
			if got := rep.Replaced != nil; got != tc.wantReplaced {
				t.Errorf("Replaced = %v, want replaced %v", rep.Replaced, tc.wantReplaced)
			}
			if rep.Replaced != nil && !errors.Is(rep.Replaced, ErrUnsoundClone) {
				t.Errorf("Replaced = %v, want it to wrap ErrUnsoundClone", rep.Replaced)
			}
			t.Logf("replaced because: %v", rep.Replaced)
			if _, err := CheckClone(f.opts()); err != nil {
				t.Errorf("the folder is not sound afterwards: %v", err)
			}
			wantNoSiblings(t, f.dir)
		})
	}
}

// TestCloneOrReuseInterruptedReplace: a kill between the two renames of a
// replacement leaves no work folder and two temporary siblings; the next
// call removes them and clones afresh.
func TestCloneOrReuseInterruptedReplace(t *testing.T) {
	f := newReuseFixture(t)
	parent := filepath.Dir(f.dir)
	for _, name := range []string{".prod.gitward-clone-123", ".prod.gitward-old-456"} {
		mkdir(t, filepath.Join(parent, name, "objects"))
	}
	keep := filepath.Join(parent, "prod-notes") // not ours: must survive
	write(t, keep, []byte("mine"))

	r, rep, err := CloneOrReuse(testCtx(t), f.opts())
	if err != nil {
		t.Fatalf("CloneOrReuse: %v", err)
	}
	wantHead(t, r, f.src.Head(), "after CloneOrReuse")
	if len(rep.Leftovers) != 2 {
		t.Errorf("Leftovers = %v, want the two siblings", rep.Leftovers)
	}
	wantNoSiblings(t, f.dir)
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("a file that is not ours was touched: %v", err)
	}
}

// TestCloneOrReuseKeepsWhatIsNotOurs: a folder of files that is not a Git
// repository is refused, never deleted; an unsound clone whose remote is
// down stays as it was (nothing is removed before the new clone exists).
func TestCloneOrReuseKeepsWhatIsNotOurs(t *testing.T) {
	f := newReuseFixture(t)
	notes := filepath.Join(f.dir, "notes.txt")
	write(t, notes, []byte("mine"))
	if _, _, err := CloneOrReuse(testCtx(t), f.opts()); !errors.Is(err, ErrForeignFolder) {
		t.Errorf("CloneOrReuse into a folder of notes: %v, want ErrForeignFolder", err)
	}
	if b, err := os.ReadFile(notes); err != nil || string(b) != "mine" {
		t.Errorf("the notes were touched: %q, %v", b, err)
	}

	g := newReuseFixture(t)
	g.clone(t, g.otherURL, "main")
	o := g.opts()
	o.URL = gittest.FileURL(filepath.Join(t.TempDir(), "gone.git"))
	if _, _, err := CloneOrReuse(testCtx(t), o); err == nil {
		t.Fatal("CloneOrReuse from a missing remote succeeded")
	}
	if _, err := CheckClone(CloneOptions{URL: g.otherURL, Dir: g.dir, Branch: "main"}); err != nil {
		t.Errorf("the old clone was damaged by a failed replacement: %v", err)
	}
	wantNoSiblings(t, g.dir)
}

// plantLooseObject writes a loose object named h whose content hashes to
// something else (a commit of other content); go-git reads loose objects
// before packed ones, and does not check their hash.
func plantLooseObject(t *testing.T, dir, h string) {
	t.Helper()
	var buf bytes.Buffer
	w := objfile.NewWriter(&buf)
	content := []byte("not the commit")
	if err := w.WriteHeader(plumbing.CommitObject, int64(len(content))); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "objects", h[:2], h[2:]), buf.Bytes())
}

func packs(t *testing.T, dir string) []string {
	t.Helper()
	p, err := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
	if err != nil || len(p) == 0 {
		t.Fatalf("no pack in %s (%v)", dir, err)
	}
	return p
}

func wantNoSiblings(t *testing.T, dir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".*"+tmpMark+"*"))
	if len(left) > 0 {
		t.Errorf("temporary siblings left: %v", left)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, name string, b []byte) {
	t.Helper()
	mkdir(t, filepath.Dir(name))
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, name string) {
	t.Helper()
	if err := os.RemoveAll(name); err != nil {
		t.Fatal(err)
	}
}
