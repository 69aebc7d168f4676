package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/promote"
)

const rollbackExample = `  # Undo production's last change (its own folder only), after seeing the difference
  git gitops rollback production --dry-run
  git gitops rollback production

  # Restore production's folder to what it was at a tag
  git gitops rollback production --to v1.4.0`

// RollbackOptions holds the flags of `git gitops rollback`.
type RollbackOptions struct {
	genericiooptions.IOStreams

	CommitOptions

	Env string
	To  string
}

// NewRollbackOptions returns the defaults of `git gitops rollback`.
func NewRollbackOptions(streams genericiooptions.IOStreams) *RollbackOptions {
	return &RollbackOptions{IOStreams: streams}
}

// NewCmdRollback returns `git gitops rollback ENV [--to REV]`.
func NewCmdRollback(streams genericiooptions.IOStreams) *cobra.Command {
	o := NewRollbackOptions(streams)
	cmd := &cobra.Command{
		Use:   "rollback ENV [--to REV]",
		Short: "Restore an environment's own folder to an earlier revision, as a new commit",
		Long: `Rollback makes a new commit that restores ENV's folder to its content at REV
(default: just before the last commit that changed that folder). Bases and
other environments are left as they are. It shows the rendered difference
of ENV first and checks it; on any error nothing is changed (exit 2). When
there is nothing to roll back it says so and exits 0.`,
		Example:      rollbackExample,
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE:         cli.Steps{Complete: o.Complete, Validate: o.Validate, Run: o.Run}.RunE,
	}
	f := cmd.Flags()
	f.StringVar(&o.To, "to", "", "Revision to restore the folder to (default: before its last change)")
	o.CommitOptions.addFlags(f)
	return cmd
}

// Complete fills in ENV and the folder.
func (o *RollbackOptions) Complete(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: want one environment, got %d arguments", errUsage, len(args))
	}
	o.Env = args[0]
	return o.CommitOptions.complete(o.ErrOut)
}

// Validate checks flag combinations.
func (o *RollbackOptions) Validate() error {
	if o.Env == "" {
		return fmt.Errorf("%w: ENV must not be empty", errUsage)
	}
	return o.CommitOptions.validate()
}

// Run prepares, shows and (unless --dry-run) commits the rollback.
func (o *RollbackOptions) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	rb, err := promote.PrepareRollback(ctx, promote.RollbackOptions{
		Dir: o.Dir, Env: o.Env, To: o.To, AllowDirty: o.AllowDirty, Check: o.Check, Git: o.Git,
		Commit: o.target(),
	})
	if rb != nil && rb.Preview != nil {
		fmt.Fprintf(o.Out, "Roll back %s (%s) to %s, undoing:\n", rb.Env.Name, rb.Env.Path, short(rb.Rev))
		for _, c := range rb.Undone {
			fmt.Fprintf(o.Out, "  %s %s\n", short(c.Hash.String()), firstLine(c.Message))
		}
		if werr := showDiff(o.Out, rb.Env.Name, rb.Preview, o.Color); werr != nil {
			return werr
		}
	}
	if err != nil {
		return nothingToDo(err, o.ErrOut)
	}
	return o.commit(ctx, o.ErrOut, rb.Env.Name, rb.Commit)
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
