package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/kubectl/pkg/util/templates"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/localsync"
	"github.com/gitward/gitward/pkg/provenance"
)

// BuildOptions holds the flags of `kubectl gitops build`.
type BuildOptions struct {
	genericiooptions.IOStreams

	Source      string
	Folder      string
	AllowDirty  bool
	AllowRemote bool
}

const buildExample = `  # What sync (and the agent) would apply for the source "production", stamped
  kubectl gitops build --source production

  # The source whose path is this folder
  kubectl gitops build overlays/production > production.yaml`

// NewCmdBuild returns `kubectl gitops build`.
func NewCmdBuild(streams genericiooptions.IOStreams) *cobra.Command {
	o := &BuildOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "build [FOLDER] [--source NAME]",
		Short: "Print the rendered, stamped manifests of a source, as sync would apply them",
		Long: `Render a source at the checkout's HEAD and print its objects as YAML, each
stamped with the contract the agent and sync stamp (label gitward.dev/source,
annotations gitward.dev/commit and gitward.dev/digest), like
flux build kustomization and argocd app manifests. Nothing is sent to a
cluster. The source is chosen as sync chooses it (--source NAME, or the
source whose path is FOLDER), and a working tree whose rendering differs from
HEAD is refused unless --allow-dirty.`,
		Example:      templates.Examples(buildExample),
		Args:         cobra.MaximumNArgs(1),
		SilenceUsage: true,
		RunE: cli.Steps{Complete: func(args []string) error {
			if len(args) == 1 {
				o.Folder = args[0]
			}
			return nil
		}, Run: o.Run}.RunE,
	}
	f := cmd.Flags()
	f.StringVar(&o.Source, "source", "", "Name of a source in gitward.yaml (with FOLDER: the source name to stamp)")
	f.BoolVar(&o.AllowDirty, "allow-dirty", false, "Render the working tree even when it differs from HEAD")
	f.BoolVar(&o.AllowRemote, "allow-remote-bases", false, "Let kustomize fetch remote bases")
	return cmd
}

// Run renders, stamps and prints the source.
func (o *BuildOptions) Run(ctx context.Context) error {
	plan, err := localsync.Prepare(ctx, localsync.Options{Source: o.Source, Folder: o.Folder, AllowDirty: o.AllowDirty, AllowRemote: o.AllowRemote})
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(o.ErrOut, "warning: %s\n", w)
	}
	for i, obj := range plan.Objects {
		u := obj.Object.DeepCopy()
		if err := provenance.Stamp(u, plan.Source, plan.Commit); err != nil {
			return err
		}
		data, err := yaml.Marshal(u.Object)
		if err != nil {
			return fmt.Errorf("%s: %w", provenance.ObjectRef(u), err)
		}
		if i > 0 {
			fmt.Fprintln(o.Out, "---")
		}
		if _, err := o.Out.Write(data); err != nil {
			return err
		}
	}
	fmt.Fprintf(o.ErrOut, "%d objects of %s (%s) at %s\n", len(plan.Objects), plan.Source, plan.Path, plan.Commit.Short())
	return nil
}
