//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

// gitPerson runs git and git-gitops (found by git on PATH, as a person's
// `git gitops` is) in one repository, with only that repository's config.
type gitPerson struct {
	t   *testing.T
	dir string
	env []string
}

// newGitPerson builds git-gitops, puts it first on PATH, and makes an
// empty repository on branch main with the git CLI.
func newGitPerson(t *testing.T) *gitPerson {
	t.Helper()
	bin := t.TempDir()
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", filepath.Join(bin, "git-gitops"),
		"github.com/gitward/gitward/plugins/git-gitops").CombinedOutput(); err != nil {
		t.Fatalf("go build git-gitops: %v\n%s", err, out)
	}
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+home,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	p := &gitPerson{t: t, dir: t.TempDir(), env: env}
	p.mustGit("", "init", "--quiet", "--initial-branch", "main")
	p.mustGit("", "config", "user.name", "Grace Hopper")
	p.mustGit("", "config", "user.email", "grace@example.invalid")
	return p
}

// git runs git args in the folder sub of the repository and returns its
// stdout, stderr and error.
func (p *gitPerson) git(sub string, args ...string) (string, string, error) {
	cmd := exec.CommandContext(p.t.Context(), "git", args...)
	cmd.Dir = filepath.Join(p.dir, sub)
	cmd.Env = p.env
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// mustGit runs git and fails the test on an error; it returns stdout,
// trimmed.
func (p *gitPerson) mustGit(sub string, args ...string) string {
	p.t.Helper()
	out, errOut, err := p.git(sub, args...)
	if err != nil {
		p.t.Fatalf("git %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return strings.TrimSpace(out)
}

// write writes a file of the working tree.
func (p *gitPerson) write(name, content string) {
	p.t.Helper()
	file := filepath.Join(p.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// commit stages everything and commits it; it returns the commit.
func (p *gitPerson) commit(msg string) string {
	p.t.Helper()
	p.mustGit("", "add", "--all")
	p.mustGit("", "commit", "--quiet", "-m", msg)
	return p.mustGit("", "rev-parse", "HEAD")
}

// state is what a refused command must not change: HEAD, the branches,
// the index and the working tree.
func (p *gitPerson) state() string {
	p.t.Helper()
	return strings.Join([]string{
		p.mustGit("", "rev-parse", "HEAD"),
		p.mustGit("", "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads"),
		p.mustGit("", "ls-files", "--stage"),
		p.mustGit("", "status", "--porcelain", "--untracked-files=all"),
		p.mustGit("", "diff"),
	}, "\n---\n")
}

// wantAll reports each of wants that got, a command's stream (stdout or
// stderr), lacks.
func wantAll(t *testing.T, stream, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%s", stream, want, got)
		}
	}
}

// TestPromoteThroughGit runs `git gitops promote` and `git gitops
// rollback` as a person would, in a repository made with the git CLI
// (gittest.Layout: base plus overlays/dev|staging|production).
func TestPromoteThroughGit(t *testing.T) {
	p := newGitPerson(t)
	layoutFiles := gittest.Layout{Tags: map[string]string{"dev": "1.2.0", "staging": "1.1.0", "production": "1.0.0"}}.Files()
	for name, content := range layoutFiles {
		p.write(name, content)
	}
	layout := p.commit("layout")
	prodFile := "overlays/production/kustomization.yaml"

	t.Run("dry-run", func(t *testing.T) {
		before := p.state()
		out, errOut, err := p.git("overlays/staging", "gitops", "promote", "staging", "production", "--dry-run")
		if err != nil {
			t.Fatalf("dry-run: %v\n%s%s", err, out, errOut)
		}
		wantAll(t, "stdout", out, "image ghcr.io/acme/api: ghcr.io/acme/api:1.0.0 → ghcr.io/acme/api:1.1.0",
			"-      - image: ghcr.io/acme/api:1.0.0", "+      - image: ghcr.io/acme/api:1.1.0")
		if !strings.Contains(errOut, "Dry run: nothing committed.") {
			t.Errorf("stderr: %s", errOut)
		}
		if after := p.state(); after != before {
			t.Errorf("dry-run changed the repository:\n%s\nwas:\n%s", after, before)
		}
	})

	t.Run("branch", func(t *testing.T) {
		out, errOut, err := p.git("", "gitops", "promote", "staging", "production", "--branch", "promote/production")
		if err != nil {
			t.Fatalf("promote --branch: %v\n%s%s", err, out, errOut)
		}
		if head := p.mustGit("", "rev-parse", "HEAD"); head != layout {
			t.Errorf("HEAD moved to %s; --branch must leave the checkout where it is", head)
		}
		if got := p.mustGit("", "status", "--porcelain"); got != "" {
			t.Errorf("status after --branch: %q", got)
		}
		if got := p.mustGit("", "rev-parse", "promote/production^"); got != layout {
			t.Errorf("promote/production^ = %s, want %s", got, layout)
		}
		if got := p.mustGit("", "show", "promote/production:"+prodFile); !strings.Contains(got, `newTag: "1.1.0"`) {
			t.Errorf("%s on the branch:\n%s", prodFile, got)
		}
	})

	t.Run("commit", func(t *testing.T) {
		out, errOut, err := p.git("overlays", "gitops", "promote", "staging", "production")
		if err != nil {
			t.Fatalf("promote: %v\n%s%s", err, out, errOut)
		}
		if got := p.mustGit("", "rev-parse", "HEAD^"); got != layout {
			t.Fatalf("HEAD^ = %s, want the layout commit %s", got, layout)
		}
		if got := p.mustGit("", "log", "-1", "--format=%an <%ae>"); got != "Grace Hopper <grace@example.invalid>" {
			t.Errorf("author %q, want the repository's user.name and user.email", got)
		}
		trailer := p.mustGit("", "log", "-1", "--format=%(trailers:key=Promoted-From,valueonly)")
		if trailer != "staging@"+layout {
			t.Errorf("Promoted-From: %q, want staging@%s", trailer, layout)
		}
		if got := p.mustGit("", "show", "--format=", "--name-only", "HEAD"); got != prodFile {
			t.Errorf("the promotion changed %q, want only %s", got, prodFile)
		}
		want := strings.Replace(gittest.LayoutOverlay("production", "1.0.0"), `"1.0.0"`, `"1.1.0"`, 1)
		if got := p.mustGit("", "show", "HEAD:"+prodFile) + "\n"; got != want {
			t.Errorf("%s:\n%s\nwant (comments and layout kept):\n%s", prodFile, got, want)
		}
		if got := p.mustGit("", "status", "--porcelain"); got != "" {
			t.Errorf("status after the promotion: %q", got)
		}
		// Again: nothing to promote, and nothing changes.
		before := p.state()
		// Nothing to do is success (exit 0), not a usage error (issue 14).
		if _, errOut, err := p.git("", "gitops", "promote", "staging", "production"); err != nil || !strings.Contains(errOut, "nothing to promote") {
			t.Errorf("second promotion: err %v, stderr %s", err, errOut)
		}
		if after := p.state(); after != before {
			t.Errorf("a refused promotion changed the repository")
		}
	})

	t.Run("refuse-dirty", func(t *testing.T) {
		p.write("overlays/production/kustomization.yaml", gittest.LayoutOverlay("production", "9.9.9"))
		defer p.mustGit("", "checkout", "--", prodFile)
		before := p.state()
		_, errOut, err := p.git("", "gitops", "promote", "dev", "production")
		if err == nil || !strings.Contains(errOut, "uncommitted") {
			t.Errorf("dirty promotion: err %v, stderr %s", err, errOut)
		}
		if after := p.state(); after != before {
			t.Errorf("a refused promotion changed the repository:\n%s\nwas:\n%s", after, before)
		}
	})

	t.Run("refuse-check", func(t *testing.T) {
		p.write("policies/disallow-latest.yaml", gittest.LayoutPolicy)
		p.write("overlays/dev/kustomization.yaml", gittest.LayoutOverlay("dev", "latest"))
		p.commit("policy; dev runs latest")
		before := p.state()
		out, errOut, err := p.git("", "gitops", "promote", "dev", "staging")
		if err == nil {
			t.Fatalf("promotion of latest passed the policy:\n%s%s", out, errOut)
		}
		wantAll(t, "stderr", errOut, "check failed for staging", "disallow-latest-tag", "An image tag other than latest is required.")
		if !strings.Contains(out, "+      - image: ghcr.io/acme/api:latest") {
			t.Errorf("the refused promotion did not show its diff:\n%s", out)
		}
		if after := p.state(); after != before {
			t.Errorf("a refused promotion changed the tree or the index:\n%s\nwas:\n%s", after, before)
		}
	})

	t.Run("rollback", func(t *testing.T) {
		head := p.mustGit("", "rev-parse", "HEAD")
		out, errOut, err := p.git("", "gitops", "rollback", "production")
		if err != nil {
			t.Fatalf("rollback: %v\n%s%s", err, out, errOut)
		}
		if got := p.mustGit("", "rev-parse", "HEAD^"); got != head {
			t.Errorf("rollback is not a new commit on %s", head)
		}
		if got := p.mustGit("", "show", "HEAD:"+prodFile) + "\n"; got != gittest.LayoutOverlay("production", "1.0.0") {
			t.Errorf("%s after rollback:\n%s", prodFile, got)
		}
		if got := p.mustGit("", "show", "--format=", "--name-only", "HEAD"); got != prodFile {
			t.Errorf("the rollback changed %q, want only %s", got, prodFile)
		}
		if trailer := p.mustGit("", "log", "-1", "--format=%(trailers:key=Rolled-Back-To,valueonly)"); trailer != "production@"+layout {
			t.Errorf("Rolled-Back-To: %q, want production@%s", trailer, layout)
		}
		if !strings.Contains(out, "-      - image: ghcr.io/acme/api:1.1.0") {
			t.Errorf("rollback did not show the rendered difference:\n%s", out)
		}
	})
}
