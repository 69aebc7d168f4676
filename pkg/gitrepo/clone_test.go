package gitrepo

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

// server serves a bare repository for a test and returns its URL, plus a
// function that makes the server unreachable (nil when it cannot stop).
type server struct {
	name  string
	serve func(t *testing.T, bare string) (url string, stop func())
}

var servers = []server{
	{name: "file", serve: func(t *testing.T, bare string) (string, func()) {
		return gittest.FileURL(bare), nil
	}},
	{name: "http", serve: func(t *testing.T, bare string) (string, func()) {
		s := gittest.NewServer(t, bare, gittest.ServerOptions{})
		return s.URL, s.Close
	}},
}

// TestCloneFetch follows a branch through new commits and a force-push, in
// memory and on disk, over file:// and HTTP.
func TestCloneFetch(t *testing.T) {
	for _, tr := range servers {
		for _, onDisk := range []bool{false, true} {
			name := tr.name + "/memory"
			if onDisk {
				name = tr.name + "/disk"
			}
			t.Run(name, func(t *testing.T) {
				src := gittest.NewRepo(t)
				c1 := src.WriteFile("a.yaml", "v: 1\n").Commit("c1")
				c2 := src.WriteFile("a.yaml", "v: 2\n").Commit("c2")
				bare := src.Bare()
				url, _ := tr.serve(t, bare)
				ctx := testCtx(t)

				o := CloneOptions{URL: url, Branch: "main", Depth: 1}
				if onDisk {
					o.Dir = filepath.Join(t.TempDir(), "clone")
				}
				r, err := Clone(ctx, o)
				if err != nil {
					t.Fatalf("Clone: %v", err)
				}
				if !r.Bare() {
					t.Error("a clone must be bare")
				}
				wantHead(t, r, c2, "after clone")
				if _, err := r.Commit(hash(c1)); !errors.Is(err, ErrCommitNotFound) {
					t.Errorf("depth 1 clone has c1 (err %v); want it shallow", err)
				}

				// Nothing new: not an error.
				if err := r.Fetch(ctx, FetchOptions{Depth: 1}); err != nil {
					t.Fatalf("Fetch with nothing new: %v", err)
				}
				wantHead(t, r, c2, "after an empty fetch")

				c3 := src.WriteFile("a.yaml", "v: 3\n").Commit("c3")
				src.Push(bare, "main")
				if err := r.Fetch(ctx, FetchOptions{Branch: "main", Depth: 1}); err != nil {
					t.Fatalf("Fetch after push: %v", err)
				}
				wantHead(t, r, c3, "after a push")
				wantResolve(t, r, "main", c3)
				wantResolve(t, r, "origin/main", c3)

				// Force-push back to c2, which the clone already has.
				src.Push(bare, c2+":refs/heads/main")
				if err := r.Fetch(ctx, FetchOptions{Depth: 1}); err != nil {
					t.Fatalf("Fetch after force-push to a known commit: %v", err)
				}
				wantHead(t, r, c2, "after a force-push to a known commit")

				// Force-push an older commit the clone never fetched.
				src.Push(bare, c1+":refs/heads/main")
				if err := r.Fetch(ctx, FetchOptions{Depth: 1}); err != nil {
					t.Fatalf("Fetch after force-push: %v", err)
				}
				wantHead(t, r, c1, "after a force-push")
				if _, err := r.TreeFS(hash(c1)); err != nil {
					t.Errorf("TreeFS at the force-pushed head: %v", err)
				}

				// A fetch without Depth on a shallow clone brings the new
				// head (it does not deepen; Deepen does).
				c4 := src.WriteFile("a.yaml", "v: 4\n").Commit("c4")
				src.Push(bare, "main")
				if err := r.Fetch(ctx, FetchOptions{}); err != nil {
					t.Fatalf("Fetch without Depth: %v", err)
				}
				wantHead(t, r, c4, "after a fetch without Depth")

				if onDisk { // the clone on disk can be reopened
					again := mustOpen(t, o.Dir)
					wantHead(t, again, c4, "reopened")
				}
			})
		}
	}
}

func TestCloneFullHistory(t *testing.T) {
	h := newHistory(t)
	r, err := Clone(testCtx(t), CloneOptions{URL: gittest.ServeHTTP(t, h.src.Bare())})
	if err != nil {
		t.Fatal(err)
	}
	if r.branch != "main" {
		t.Errorf("default branch = %q, want main (the remote's HEAD)", r.branch)
	}
	wantHead(t, r, h.c5, "full clone")
	if ok, err := r.IsAncestor(hash(h.c1), hash(h.c5)); !ok || err != nil {
		t.Errorf("IsAncestor(c1, c5) in a full clone = %v, %v; want true", ok, err)
	}
	if _, err := r.Resolve("v1"); !errors.Is(err, ErrRevisionNotFound) {
		t.Errorf("Resolve(tag) in a clone: err = %v; clones fetch no tags", err)
	}
}

func TestCloneErrors(t *testing.T) {
	h := newHistory(t)
	bare := h.src.Bare()
	occupied := t.TempDir()
	if _, err := Clone(testCtx(t), CloneOptions{URL: gittest.FileURL(bare), Dir: occupied}); err != nil {
		t.Fatalf("setup clone: %v", err)
	}
	tests := []struct {
		name    string
		o       CloneOptions
		wantErr error
	}{
		{name: "no URL", o: CloneOptions{}},
		{name: "negative depth", o: CloneOptions{URL: gittest.FileURL(bare), Depth: -1}},
		{name: "unknown branch", o: CloneOptions{URL: gittest.FileURL(bare), Branch: "nope"}, wantErr: ErrRevisionNotFound},
		{name: "no repository there", o: CloneOptions{URL: gittest.FileURL(t.TempDir())}},
		{name: "folder already holds a clone", o: CloneOptions{URL: gittest.FileURL(bare), Dir: occupied}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Clone(testCtx(t), tt.o)
			if err == nil {
				t.Fatal("Clone succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Clone err = %v, want %v", err, tt.wantErr)
			}
			t.Logf("error: %v", err)
		})
	}
}

// TestFetchServerGone stops the HTTP server: Fetch fails and the repository
// keeps the head it had.
func TestFetchServerGone(t *testing.T) {
	src := gittest.NewRepo(t)
	c1 := src.WriteFile("a", "1").Commit("c1")
	bare := src.Bare()
	s := gittest.NewServer(t, bare, gittest.ServerOptions{})
	ctx := testCtx(t)
	r, err := Clone(ctx, CloneOptions{URL: s.URL, Branch: "main", Depth: 1})
	if err != nil {
		t.Fatal(err)
	}
	src.WriteFile("a", "2").Commit("c2")
	src.Push(bare, "main")
	s.Close()
	if err := r.Fetch(ctx, FetchOptions{Depth: 1}); err == nil {
		t.Fatal("Fetch from a stopped server succeeded")
	} else {
		t.Logf("error: %v", err)
	}
	wantHead(t, r, c1, "after a failed fetch")
}

// TestFetchBoundedByContext points the remote at a server that accepts the
// request and never answers: Fetch must return once ctx is done.
func TestFetchBoundedByContext(t *testing.T) {
	src := gittest.NewRepo(t)
	c1 := src.WriteFile("a", "1").Commit("c1")
	r, err := Clone(testCtx(t), CloneOptions{URL: gittest.ServeHTTP(t, src.Bare()), Branch: "main", Depth: 1})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-req.Context().Done():
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })
	setOrigin(t, r, hang.URL+"/repo.git")

	ctx, cancel := context.WithCancel(testCtx(t))
	go func() { // cancel once the request is in flight
		<-started
		cancel()
	}()
	err = r.Fetch(ctx, FetchOptions{Depth: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch from a hung server: err = %v, want context.Canceled", err)
	}
	wantHead(t, r, c1, "after a cancelled fetch")
}

func setOrigin(t *testing.T, r *Repo, url string) {
	t.Helper()
	cfg, err := r.Git().Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Remotes[RemoteName].URLs = []string{url}
	if err := r.Git().SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
}

func wantHead(t *testing.T, r *Repo, want, when string) {
	t.Helper()
	got, err := r.Head("")
	if err != nil || got.String() != want {
		t.Fatalf("%s: Head = %s, %v; want %s", when, got, err, want)
	}
}

func wantResolve(t *testing.T, r *Repo, rev, want string) {
	t.Helper()
	got, err := r.Resolve(rev)
	if err != nil || got.String() != want {
		t.Errorf("Resolve(%q) = %s, %v; want %s", rev, got, err, want)
	}
}
