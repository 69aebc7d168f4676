package gittest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// epoch is the date of a fixture's first commit (2024-01-01T00:00:00Z);
// every further commit is one minute later.
const epoch = 1704067200

// Repo is a non-bare Git repository in a temporary directory. Its methods
// fail the test on any error, so they can be chained.
type Repo struct {
	// Dir is the working tree (its .git is Dir/.git).
	Dir string

	t     testing.TB
	ticks int
}

// NewRepo creates an empty repository whose initial branch is main in a
// fresh t.TempDir().
func NewRepo(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{Dir: t.TempDir(), t: t}
	r.Git("init", "--quiet", "--initial-branch=main")
	return r
}

// Git runs git with args in dir, with the fixture environment (see Env), and
// returns its standard output without the trailing newline. It fails the test
// when git fails, quoting its standard error.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	return run(t, dir, Env(), args...)
}

// Env returns os.Environ() plus the variables that make git ignore the
// system and global configuration and use a fixed identity.
func Env() []string {
	return append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=Gitward Test",
		"GIT_AUTHOR_EMAIL=test@gitward.invalid",
		"GIT_COMMITTER_NAME=Gitward Test",
		"GIT_COMMITTER_EMAIL=test@gitward.invalid",
		"GIT_TERMINAL_PROMPT=0",
	)
}

func run(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return strings.TrimRight(stdout.String(), "\n")
}

// Git runs git with args in the working tree and returns its trimmed output.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	return Git(r.t, r.Dir, args...)
}

// WriteFile writes content to the slash-separated path name in the working
// tree, creating parent folders. It does not stage or commit.
func (r *Repo) WriteFile(name, content string) *Repo {
	r.t.Helper()
	p := r.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatalf("write %s: %v", name, err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatalf("write %s: %v", name, err)
	}
	return r
}

// Symlink creates a symbolic link at name pointing to target (written as
// given: relative, absolute or dangling), replacing whatever was at name.
func (r *Repo) Symlink(name, target string) *Repo {
	r.t.Helper()
	p := r.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatalf("symlink %s: %v", name, err)
	}
	_ = os.Remove(p)
	if err := os.Symlink(target, p); err != nil {
		r.t.Fatalf("symlink %s -> %s: %v", name, target, err)
	}
	return r
}

// Remove deletes the file or folder name from the working tree.
func (r *Repo) Remove(name string) *Repo {
	r.t.Helper()
	if err := os.RemoveAll(r.path(name)); err != nil {
		r.t.Fatalf("remove %s: %v", name, err)
	}
	return r
}

// Commit stages every change (git add -A) and commits it with message msg,
// even when nothing changed, and returns the full commit hash.
func (r *Repo) Commit(msg string) string {
	r.t.Helper()
	r.Git("add", "-A")
	r.ticks++
	date := fmt.Sprintf("@%d +0000", epoch+60*r.ticks)
	env := append(Env(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	run(r.t, r.Dir, env, "commit", "--quiet", "--allow-empty", "--no-verify", "-m", msg)
	return r.Head()
}

// Head returns the full hash of the commit checked out (HEAD).
func (r *Repo) Head() string {
	r.t.Helper()
	return r.Git("rev-parse", "HEAD")
}

// Bare makes a bare clone of the repository (all branches and tags) in a new
// temporary folder and returns its path, which ends in "repo.git". Use it as
// the "server side" for Push, ServeHTTP or a file:// URL.
func (r *Repo) Bare() string {
	r.t.Helper()
	dir := filepath.Join(r.t.TempDir(), "repo.git")
	Git(r.t, r.Dir, "clone", "--quiet", "--bare", "--no-local", r.Dir, dir)
	return dir
}

// Push force-pushes refspec (for example "main", or "<hash>:refs/heads/main"
// to rewind a branch) to the repository at bareDir.
func (r *Repo) Push(bareDir, refspec string) {
	r.t.Helper()
	r.Git("push", "--quiet", "--force", bareDir, refspec)
}

func (r *Repo) path(name string) string {
	return filepath.Join(r.Dir, filepath.FromSlash(name))
}

// FileURL returns the file:// URL of a local repository path.
func FileURL(dir string) string {
	return "file://" + filepath.ToSlash(dir)
}
