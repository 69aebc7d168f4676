package cmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/gitward/gitward/pkg/worktree"
)

func TestOrWorkingDir(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, dir, want string }{
		{name: "given", dir: "/some/checkout", want: "/some/checkout"},
		{name: "empty: the current directory", dir: "", want: wd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := orWorkingDir(tt.dir); err != nil || got != tt.want {
				t.Errorf("orWorkingDir(%q) = %q, %v; want %q", tt.dir, got, err, tt.want)
			}
		})
	}
}

func TestCommitStep(t *testing.T) {
	errGit := errors.New("git commit: exit status 1")
	tests := []struct {
		name       string
		dryRun     bool
		branch     string
		res        *worktree.Result
		err        error
		wantErrOut string
		wantErr    error
		wantCommit bool
	}{
		{name: "dry run", dryRun: true, wantErrOut: "Dry run: nothing committed.\n"},
		{name: "commit", res: &worktree.Result{Commit: "0123456789abcdef", Branch: "main"}, wantCommit: true,
			wantErrOut: "Committed 0123456 on main.\n"},
		{name: "commit on a branch, pushed", branch: "promote/prod", wantCommit: true,
			res:        &worktree.Result{Commit: "0123456789abcdef", Branch: "promote/prod", Pushed: "origin"},
			wantErrOut: "Committed 0123456 on promote/prod.\nYour checkout stays where it was; review with: git show promote/prod\nPushed promote/prod to origin.\n"},
		{name: "commit fails", err: errGit, wantErr: errGit, wantCommit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			committed := false
			s := commitStep{ErrOut: &errOut, DryRun: tt.dryRun, Env: "production", Branch: tt.branch,
				Commit: func(context.Context) (*worktree.Result, error) { committed = true; return tt.res, tt.err }}
			err := s.run(context.Background())
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("run error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && err.Error() != "nothing was changed: "+errGit.Error() {
				t.Errorf("error %q does not say nothing was changed", err)
			}
			if committed != tt.wantCommit {
				t.Errorf("committed = %v, want %v", committed, tt.wantCommit)
			}
			if errOut.String() != tt.wantErrOut {
				t.Errorf("ErrOut = %q, want %q", errOut.String(), tt.wantErrOut)
			}
		})
	}
}
