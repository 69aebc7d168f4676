// Package cmd wires the kubectl-gitops commands; the logic lives in pkg/.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
)

// NewCmdGitops returns the root command of `kubectl gitops`.
func NewCmdGitops(streams genericiooptions.IOStreams) *cobra.Command {
	flags := genericclioptions.NewConfigFlags(true)
	root := &cobra.Command{
		Use:   "kubectl gitops",
		Short: "Compare, seal, trace and sync what Git declares against what runs",
		Long: `kubectl gitops shows and closes the gap between Git and a cluster.

Git is the only way in: objects that gitward manages carry the label
gitward.dev/source and the annotation gitward.dev/commit, and a change that is
not what Git says at a commit on the tracked branch is rejected by
gitward-webhook.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// cobra takes the first word of Use as the name; a plugin is two words.
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl gitops"},
	}
	flags.AddFlags(root.PersistentFlags())
	cli.AddVerbosity(root)
	root.AddCommand(cli.NewCmdVersion("kubectl-gitops", streams))
	root.AddCommand(NewCmdSeal(flags, streams))
	root.AddCommand(NewCmdDiff(flags, streams))
	root.AddCommand(NewCmdStatus(flags, streams))
	root.AddCommand(NewCmdTrace(flags, streams))
	root.AddCommand(NewCmdSync(flags, streams))
	root.AddCommand(NewCmdBuild(streams))
	root.AddCommand(NewCmdInstall(flags, streams))
	return root
}
