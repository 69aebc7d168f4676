// Package cmd wires the gitward-agent command line; the logic lives in pkg/.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
)

// NewCmdRoot returns the root command of gitward-agent.
func NewCmdRoot(streams genericiooptions.IOStreams) *cobra.Command {
	return cli.NewCmdRoot("gitward-agent",
		"In-cluster agent: pull the repository, apply it, prune, self-heal, report",
		streams, NewCmdRun(streams))
}
