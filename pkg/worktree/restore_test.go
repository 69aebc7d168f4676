package worktree

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failing is a Runner that fails the first git command whose arguments
// start with prefix, after running the ones before it for real; with
// cancel set it cancels the context instead, then runs the command.
type failing struct {
	ExecRunner
	prefix string
	cancel context.CancelFunc
}

var errInjected = errors.New("injected failure")

func (f failing) Run(ctx context.Context, dir string, stdin []byte, args ...string) ([]byte, error) {
	if strings.HasPrefix(strings.Join(args, " "), f.prefix) {
		if f.cancel == nil {
			return nil, errInjected
		}
		f.cancel()
	}
	return f.ExecRunner.Run(ctx, dir, stdin, args...)
}

func hook(t *testing.T, dir, name, script string) {
	t.Helper()
	p := filepath.Join(dir, ".git", "hooks", name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestApplyRestoresOnFailure injects a failure at every step after the
// working tree has been written and checks that the checkout — every file,
// the index byte for byte, HEAD and every ref — is as it was.
func TestApplyRestoresOnFailure(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) // before the snapshot is taken
		prefix  string                         // injected Runner failure
		cancel  bool
		changes []Change
		push    bool
		want    string // in the error
	}{
		{name: "pre-commit hook refuses", setup: func(t *testing.T, dir string) {
			hook(t, dir, "pre-commit", "echo 'lint failed' >&2; exit 1")
		}, want: "lint failed"},
		{name: "commit-msg hook refuses", setup: func(t *testing.T, dir string) {
			hook(t, dir, "commit-msg", "echo 'needs a ticket' >&2; exit 1")
		}, want: "needs a ticket"},
		{name: "git add fails", prefix: "add", want: "stage changes"},
		{name: "git commit fails", prefix: "commit", want: "commit"},
		{name: "reading the commit fails", prefix: "rev-parse HEAD", want: "read the new commit"},
		{name: "cancelled during commit", prefix: "commit", cancel: true, want: "context canceled"},
		{name: "push rejected", push: true, setup: func(t *testing.T, dir string) {
			hook(t, dir, "pre-push", "echo 'push refused' >&2; exit 1")
		}, want: "push refused"},
		{name: "no identity", setup: func(t *testing.T, dir string) {
			git(t, dir, "config", "--unset", "user.name")
			git(t, dir, "config", "--unset", "user.email")
			git(t, dir, "config", "user.useConfigOnly", "true")
		}, want: "commit"},
		{name: "write fails after a first write", changes: []Change{
			edits[0], edits[2], {Path: "README.md/x", Content: []byte("under a file")},
		}, want: "README.md is a file"},
		{name: "index locked", setup: func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, ".git", "index.lock"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}, want: "index.lock"},
	}
	for _, tt := range tests {
		for _, branch := range []string{"", "review"} {
			t.Run(tt.name+"/branch="+branch, func(t *testing.T) {
				r := fixture(t)
				// Something staged and something untracked that must survive.
				r.WriteFile("README.md", "staged\n")
				r.Git("add", "README.md")
				r.WriteFile("README.md", "staged, then edited\n").WriteFile("notes.txt", "untracked\n")
				r.Git("remote", "add", "origin", r.Bare())
				if tt.setup != nil {
					tt.setup(t, r.Dir)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				runner := failing{ExecRunner: ExecRunner{Env: env()}, prefix: tt.prefix}
				if tt.prefix == "" {
					runner.prefix = "\x00never"
				}
				if tt.cancel {
					runner.cancel = cancel
				}
				tr := open(t, r.Dir, runner)
				changes := tt.changes
				if changes == nil {
					changes = edits
				}
				before := state(t, r)
				_, err := tr.Apply(ctx, changes, Options{Message: "m", Branch: branch, Push: tt.push})
				if err == nil {
					t.Fatal("Apply succeeded")
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q does not contain %q", err, tt.want)
				}
				if strings.Contains(err.Error(), "restoring the checkout failed") {
					t.Errorf("restore failed: %v", err)
				}
				state(t, r).compare(t, before)
			})
		}
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	if _, err := (ExecRunner{Env: env()}).Run(context.Background(), dir, nil, args...); err != nil {
		t.Fatal(err)
	}
}
