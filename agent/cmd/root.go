// Package cmd wires the gitward-agent command line; the logic lives in pkg/.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
)

// NewCmdRoot returns the root command of gitward-agent.
func NewCmdRoot(streams genericiooptions.IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:           "gitward-agent",
		Short:         "In-cluster agent: pull the repository, apply it, prune, self-heal, report",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(cli.NewCmdVersion("gitward-agent", streams))
	root.AddCommand(NewCmdRun(streams))
	return root
}
