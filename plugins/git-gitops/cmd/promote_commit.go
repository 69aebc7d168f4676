package cmd

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/gitward/gitward/pkg/worktree"
)

// orWorkingDir returns dir, or the current directory when dir is empty:
// the folder promote and rollback run in.
func orWorkingDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return os.Getwd()
}

// commitStep ends promote and rollback alike, once the change is prepared
// and shown: with DryRun it only says so, otherwise it commits and reports
// where the commit went, on ErrOut.
type commitStep struct {
	ErrOut io.Writer
	DryRun bool
	// Commit is the prepared change's Commit (a Promotion's or a Rollback's).
	Commit func(ctx context.Context) (*worktree.Result, error)
	// Env is the environment changed; Branch the --branch committed on.
	Env, Branch string
}

// run commits unless DryRun; a failed commit changes nothing.
func (s commitStep) run(ctx context.Context) error {
	if s.DryRun {
		fmt.Fprintln(s.ErrOut, "Dry run: nothing committed.")
		return nil
	}
	res, err := s.Commit(ctx)
	if err != nil {
		return fmt.Errorf("nothing was changed: %w", err)
	}
	reportCommit(s.ErrOut, res, s.Env, s.Branch)
	return nil
}
