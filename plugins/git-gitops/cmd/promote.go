package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/promote"
)

const promoteExample = `  # See what promoting staging to production would change, without committing
  git gitops promote staging production --dry-run

  # Promote and commit on the current branch
  git gitops promote staging production

  # Commit on a new branch for review and push it to origin
  git gitops promote staging production --branch promote/production --push

  # Promote only what staging's cluster actually runs
  git gitops promote staging production --require-live kind-staging`

// PromoteOptions holds the flags of `git gitops promote`.
type PromoteOptions struct {
	genericiooptions.IOStreams

	CommitOptions

	From, To    string
	SkipSealed  bool
	RequireLive string
	Kubeconfig  string

	// Live reads the commit FROM's cluster runs; Complete builds it from
	// RequireLive unless a test set it.
	Live promote.LiveSource
}

// NewPromoteOptions returns the defaults of `git gitops promote`.
func NewPromoteOptions(streams genericiooptions.IOStreams) *PromoteOptions {
	return &PromoteOptions{IOStreams: streams}
}

// NewCmdPromote returns `git gitops promote FROM TO`.
func NewCmdPromote(streams genericiooptions.IOStreams) *cobra.Command {
	o := NewPromoteOptions(streams)
	cmd := &cobra.Command{
		Use:   "promote FROM TO",
		Short: "Copy what runs in one environment to the next, as a reviewed commit",
		Long: `Promote copies FROM's kustomize images (newName, newTag, digest) and the
values gitward.yaml's promotion rules name (files, configMapGenerator
literals, YAML paths) into TO, keeping comments and formatting.

It shows the rendered difference of TO before and after (no cluster needed),
checks TO, and commits with a message that lists what moved and a trailer
Promoted-From: <env>@<commit>. FROM is read from HEAD's commit (or, with
--require-live, from the commit FROM's cluster runs), so uncommitted changes
never move.

With --require-live CONTEXT, the commit is read from the gitward.dev/commit
annotations of FROM's source objects in that cluster: the newest of them,
since the agent leaves an unchanged object (and its annotation) alone. An
object at an older commit whose digest the newest commit changes means a
rollout in progress, and promote refuses until it settles. The commit must
be in the history of HEAD: promote refuses what a cluster runs from another
branch.

It refuses, and changes nothing, when the working tree is dirty, when TO does
not render or fails its check, and when a SealedSecret would be copied into a
namespace it was not sealed for (exit 2). When there is nothing to promote it
says so and exits 0.`,
		Example:      promoteExample,
		Args:         cobra.ExactArgs(2),
		SilenceUsage: true,
		RunE:         cli.Steps{Complete: o.Complete, Validate: o.Validate, Run: o.Run}.RunE,
	}
	f := cmd.Flags()
	o.CommitOptions.addFlags(f)
	f.BoolVar(&o.SkipSealed, "skip-sealed", false, "Leave out SealedSecrets that must be re-sealed instead of refusing")
	f.StringVar(&o.RequireLive, "require-live", "", "Promote the commit FROM's cluster runs, read from this kubeconfig context")
	f.StringVar(&o.Kubeconfig, "kubeconfig", "", "Kubeconfig file for --require-live (default: KUBECONFIG or ~/.kube/config)")
	return cmd
}

// errUsage marks invalid flag combinations.
var errUsage = errors.New("invalid flags")

// Complete fills in FROM, TO, the folder and the live source.
func (o *PromoteOptions) Complete(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("%w: want FROM and TO environments, got %d arguments", errUsage, len(args))
	}
	o.From, o.To = args[0], args[1]
	if err := o.CommitOptions.complete(o.ErrOut); err != nil {
		return err
	}
	if o.RequireLive != "" && o.Live == nil {
		live, err := promote.NewLiveReader(o.Kubeconfig, o.RequireLive)
		if err != nil {
			return err
		}
		live.Log = o.ErrOut
		o.Live = live
	}
	return nil
}

// Validate checks flag combinations.
func (o *PromoteOptions) Validate() error {
	switch {
	case o.From == "" || o.To == "":
		return fmt.Errorf("%w: FROM and TO must not be empty", errUsage)
	case o.From == o.To:
		return fmt.Errorf("%w: FROM and TO are both %q; promote from one environment to another", errUsage, o.From)
	}
	if err := o.CommitOptions.validate(); err != nil {
		return err
	}
	if o.Kubeconfig != "" && o.RequireLive == "" {
		return fmt.Errorf("%w: --kubeconfig is only read with --require-live", errUsage)
	}
	return nil
}

// Run prepares, shows and (unless --dry-run) commits the promotion.
func (o *PromoteOptions) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	p, err := promote.Prepare(ctx, promote.Options{
		Dir: o.Dir, From: o.From, To: o.To, AllowDirty: o.AllowDirty, SkipSealed: o.SkipSealed,
		Live: o.Live, Check: o.Check, Git: o.Git,
		Commit: o.target(),
	})
	if p != nil && p.Preview != nil {
		if werr := o.show(p); werr != nil {
			return werr
		}
	}
	if err != nil {
		return nothingToDo(err, o.ErrOut)
	}
	return o.commit(ctx, o.ErrOut, p.Plan.To.Name, p.Commit)
}
