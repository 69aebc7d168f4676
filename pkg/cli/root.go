package cli

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// NewCmdRoot returns the root command of binary with short as its summary,
// the `version` command and cmds. Cobra prints neither usage nor errors:
// Execute prints an error once, and a failed run is not a usage mistake.
func NewCmdRoot(binary, short string, streams genericiooptions.IOStreams, cmds ...*cobra.Command) *cobra.Command {
	root := &cobra.Command{
		Use:           binary,
		Short:         short,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(NewCmdVersion(binary, streams))
	root.AddCommand(cmds...)
	return root
}
