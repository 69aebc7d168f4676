package cmd

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/gitward/gitward/pkg/promote"
	"github.com/gitward/gitward/pkg/worktree"
)

// CommitOptions are the options promote and rollback share: both change
// one environment's folder, show its rendered difference, check it and
// commit it, so the flags for where and whether to commit are the same.
type CommitOptions struct {
	DryRun     bool
	AllowDirty bool
	Branch     string
	Push       bool
	Color      bool

	// Dir is the folder the command runs in; Complete sets it to the
	// current directory unless a test did.
	Dir string
	// Check checks the environment changed, as it will be after the change;
	// Complete sets it to pkg/check (git gitops check ENV) unless a test did.
	Check promote.Checker
	// Git runs git; nil: the git on PATH.
	Git worktree.Runner
}

// addFlags binds the shared flags.
func (o *CommitOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.DryRun, "dry-run", false, "Show what would change; commit nothing")
	f.BoolVar(&o.AllowDirty, "allow-dirty", false, "Run with uncommitted changes (never in the files it writes)")
	f.StringVar(&o.Branch, "branch", "", "Commit on this new branch (the checkout stays where it is)")
	f.BoolVar(&o.Push, "push", false, "Push the branch committed to origin")
	f.BoolVar(&o.Color, "color", false, "Colour the diff")
}

// complete fills in Dir and Check unless a test set them; the checker's
// warnings go to errOut.
func (o *CommitOptions) complete(errOut io.Writer) error {
	var err error
	if o.Dir, err = orWorkingDir(o.Dir); err != nil {
		return err
	}
	if o.Check == nil {
		o.Check = newRepoChecker(errOut)
	}
	return nil
}

// validate refuses --branch and --push with --dry-run.
func (o *CommitOptions) validate() error {
	if o.DryRun && (o.Push || o.Branch != "") {
		return fmt.Errorf("%w: --dry-run commits nothing, so --branch and --push make no sense with it", errUsage)
	}
	return nil
}

// target is where the commit goes.
func (o *CommitOptions) target() worktree.Options {
	return worktree.Options{Branch: o.Branch, Push: o.Push}
}

// commit ends the command once the change of env is prepared and shown:
// see commitStep.
func (o *CommitOptions) commit(ctx context.Context, errOut io.Writer, env string, commit func(context.Context) (*worktree.Result, error)) error {
	return commitStep{ErrOut: errOut, DryRun: o.DryRun, Commit: commit, Env: env, Branch: o.Branch}.run(ctx)
}
