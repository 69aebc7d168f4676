// Package cmd wires the gitward-webhook command line; the logic lives in pkg/.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
)

// NewCmdRoot returns the root command of gitward-webhook.
func NewCmdRoot(streams genericiooptions.IOStreams) *cobra.Command {
	return cli.NewCmdRoot("gitward-webhook",
		"Validating admission webhook: only what Git says gets into the cluster",
		streams, NewCmdServe(streams))
}
