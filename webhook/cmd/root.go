// Package cmd wires the gitward-webhook command line; the logic lives in pkg/.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
)

// NewCmdRoot returns the root command of gitward-webhook.
func NewCmdRoot(streams genericiooptions.IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:           "gitward-webhook",
		Short:         "Validating admission webhook: only what Git says gets into the cluster",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(NewCmdServe(streams))
	root.AddCommand(cli.NewCmdVersion("gitward-webhook", streams))
	return root
}
