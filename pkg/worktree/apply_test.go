package worktree

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

// env is the git environment of these tests: no system or global config
// and no identity variables, so the repository's user.name and user.email
// are what git uses.
func env() []string {
	var out []string
	for _, kv := range gittest.Env() {
		if !strings.HasPrefix(kv, "GIT_AUTHOR_") && !strings.HasPrefix(kv, "GIT_COMMITTER_") {
			out = append(out, kv)
		}
	}
	return out
}

// fixture is a repository with a few committed files and a local identity.
func fixture(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.NewRepo(t)
	r.Git("config", "user.name", "Ada Lovelace")
	r.Git("config", "user.email", "ada@example.invalid")
	r.WriteFile("overlays/prod/kustomization.yaml", "images:\n- name: app\n  newTag: \"1\"\n").
		WriteFile("overlays/prod/old.yaml", "old\n").
		WriteFile("overlays/dev/kustomization.yaml", "images:\n- name: app\n  newTag: \"2\"\n").
		WriteFile("README.md", "hi\n")
	r.Commit("initial")
	return r
}

func open(t *testing.T, dir string, runner Runner) *Tree {
	t.Helper()
	if runner == nil {
		runner = ExecRunner{Env: env()}
	}
	tr, err := Open(context.Background(), dir, runner)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return tr
}

var edits = []Change{
	{Path: "overlays/prod/kustomization.yaml", Content: []byte("images:\n- name: app\n  newTag: \"2\"\n")},
	{Path: "overlays/prod/old.yaml", Delete: true},
	{Path: "overlays/prod/new/values.yaml", Content: []byte("new: true\n")},
}

func TestApplyCommits(t *testing.T) {
	r := fixture(t)
	tr := open(t, filepath.Join(r.Dir, "overlays"), nil) // any folder of the checkout
	if tr.Root != r.Dir {
		if real, _ := filepath.EvalSymlinks(r.Dir); tr.Root != real {
			t.Fatalf("Root = %s, want %s", tr.Root, r.Dir)
		}
	}
	before := r.Head()
	res, err := tr.Apply(context.Background(), edits, Options{Message: "Promote dev to prod\n\nPromoted-From: dev@abc\n"})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if res.Commit != r.Head() || res.Branch != "main" || res.Commit == before {
		t.Errorf("Result = %+v, HEAD %s", res, r.Head())
	}
	if got := r.Git("log", "-1", "--format=%an <%ae>|%cn|%B"); got != "Ada Lovelace <ada@example.invalid>|Ada Lovelace|Promote dev to prod\n\nPromoted-From: dev@abc" {
		t.Errorf("commit = %q", got)
	}
	if got := r.Git("show", "--name-status", "--format=", "HEAD"); got != "M\toverlays/prod/kustomization.yaml\nA\toverlays/prod/new/values.yaml\nD\toverlays/prod/old.yaml" {
		t.Errorf("changed files:\n%s", got)
	}
	if st := r.Git("status", "--porcelain"); st != "" {
		t.Errorf("status after Apply:\n%s", st)
	}
	if got := r.Git("rev-parse", "HEAD~1"); got != before {
		t.Errorf("parent = %s, want %s", got, before)
	}
}

func TestApplyLeavesOtherStagedChanges(t *testing.T) {
	r := fixture(t)
	r.WriteFile("README.md", "staged\n")
	r.Git("add", "README.md")
	r.WriteFile("notes.txt", "untracked\n")
	tr := open(t, r.Dir, nil)
	if _, err := tr.Apply(context.Background(), edits[:1], Options{Message: "m"}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if got := r.Git("show", "--name-only", "--format=", "HEAD"); got != "overlays/prod/kustomization.yaml" {
		t.Errorf("committed %q", got)
	}
	if got := r.Git("status", "--porcelain"); got != "M  README.md\n?? notes.txt" {
		t.Errorf("status = %q", got)
	}
}

func TestApplyOnNewBranch(t *testing.T) {
	r := fixture(t)
	tr := open(t, r.Dir, nil)
	before := state(t, r)
	res, err := tr.Apply(context.Background(), edits, Options{Message: "promote", Branch: "promote/prod"})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if res.Branch != "promote/prod" || r.Git("rev-parse", "promote/prod") != res.Commit {
		t.Errorf("Result = %+v", res)
	}
	after := state(t, r)
	// The checkout is untouched; only the new branch exists in addition.
	after.refs = strings.Replace(after.refs, res.Commit+" refs/heads/promote/prod\n", "", 1)
	after.compare(t, before)
	if got := r.Git("show", "promote/prod:overlays/prod/new/values.yaml"); got != "new: true" {
		t.Errorf("branch content = %q", got)
	}
}

func TestApplyPush(t *testing.T) {
	r := fixture(t)
	bare := r.Bare()
	r.Git("remote", "add", "origin", bare)
	tr := open(t, r.Dir, nil)
	for _, o := range []Options{{Message: "on main", Push: true}, {Message: "review", Branch: "review", Push: true}} {
		res, err := tr.Apply(context.Background(), edits[:1], o)
		if err != nil {
			t.Fatalf("Apply(%+v): %v", o, err)
		}
		if res.Pushed != "origin" {
			t.Errorf("Pushed = %q", res.Pushed)
		}
		if got := gittest.Git(t, bare, "rev-parse", "refs/heads/"+res.Branch); got != res.Commit {
			t.Errorf("origin %s = %s, want %s", res.Branch, got, res.Commit)
		}
		edits[0].Content = append(slices.Clone(edits[0].Content), "# again\n"...)
	}
}

func TestApplyRefusals(t *testing.T) {
	r := fixture(t)
	r.Git("branch", "taken")
	tr := open(t, r.Dir, nil)
	tests := []struct {
		name    string
		changes []Change
		o       Options
		want    error
	}{
		{"nothing", nil, Options{}, ErrNoChanges},
		{"absolute", []Change{{Path: "/etc/passwd"}}, Options{}, ErrInvalidPath},
		{"escape", []Change{{Path: "../x"}}, Options{}, ErrInvalidPath},
		{"unclean", []Change{{Path: "a//b"}}, Options{}, ErrInvalidPath},
		{"git dir", []Change{{Path: ".git/config"}}, Options{}, ErrInvalidPath},
		{"twice", []Change{{Path: "a"}, {Path: "a"}}, Options{}, ErrInvalidPath},
		{"branch exists", edits, Options{Branch: "taken"}, ErrBranchExists},
		{"bad branch", edits, Options{Branch: "a..b"}, ErrInvalidBranch},
		{"dash branch", edits, Options{Branch: "-x"}, ErrInvalidBranch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := state(t, r)
			_, err := tr.Apply(context.Background(), tt.changes, tt.o)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			state(t, r).compare(t, before)
		})
	}
}

func TestOpenBare(t *testing.T) {
	r := fixture(t)
	_, err := Open(context.Background(), r.Bare(), ExecRunner{Env: env()})
	if !errors.Is(err, ErrBare) {
		t.Fatalf("err = %v, want ErrBare", err)
	}
}

func TestStatus(t *testing.T) {
	r := fixture(t)
	tr := open(t, r.Dir, nil)
	if got, err := tr.Status(context.Background()); err != nil || len(got) != 0 {
		t.Fatalf("Status = %q, %v", got, err)
	}
	r.WriteFile("README.md", "changed\n").WriteFile("new dir/x y.txt", "x\n")
	got, err := tr.Status(context.Background())
	if err != nil || !slices.Equal(got, []string{"README.md", "new dir/x y.txt"}) {
		t.Fatalf("Status = %q, %v", got, err)
	}
}

// checkout is what "the checkout as it was" means: every file of the
// working tree, the index bytes, HEAD and every ref.
type checkout struct {
	files map[string]string
	index []byte
	head  string
	refs  string
}

func state(t *testing.T, r *gittest.Repo) checkout {
	t.Helper()
	c := checkout{files: map[string]string{}}
	err := filepath.WalkDir(r.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(r.Dir, p)
		if d.IsDir() {
			if rel == ".git" {
				return filepath.SkipDir
			}
			c.files[rel+"/"] = ""
			return nil
		}
		data, err := os.ReadFile(p)
		info, _ := d.Info()
		c.files[rel] = info.Mode().String() + " " + string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.index, err = os.ReadFile(filepath.Join(r.Dir, ".git", "index")); err != nil {
		t.Fatal(err)
	}
	head, _ := os.ReadFile(filepath.Join(r.Dir, ".git", "HEAD"))
	c.head = string(head)
	c.refs = r.Git("for-each-ref", "--format=%(objectname) %(refname)") + "\n"
	return c
}

func (c checkout) compare(t *testing.T, want checkout) {
	t.Helper()
	for name, content := range want.files {
		if got, ok := c.files[name]; !ok || got != content {
			t.Errorf("%s: got %q (present %v), want %q", name, got, ok, content)
		}
	}
	for name := range c.files {
		if _, ok := want.files[name]; !ok {
			t.Errorf("%s: left behind", name)
		}
	}
	if string(c.index) != string(want.index) {
		t.Errorf("index is not byte-identical (%d bytes, want %d)", len(c.index), len(want.index))
	}
	if c.head != want.head || c.refs != want.refs {
		t.Errorf("HEAD/refs = %q %q, want %q %q", c.head, c.refs, want.head, want.refs)
	}
}
