// Package cmd wires the git-gitops commands; the logic lives in pkg/.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
)

// NewCmdGitops returns the root command of `git gitops`.
func NewCmdGitops(streams genericiooptions.IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "git gitops",
		Short: "Promote, roll back, inspect and check environments in a GitOps repository",
		Long: `git gitops works inside a checkout of the repository that declares your
clusters. Environments come from gitward.yaml at the repository root, or from
conventional layouts (overlays/<env>, apps/<env>, clusters/<env>).

Every change it makes is a commit you can review; on any error the working
tree and the index are left as they were.

Help: git gitops -h (and git gitops COMMAND -h) prints this text. git
gitops --help is git's own flag: git opens the man page, which make
install-man installs into ~/.local/share/man/man1 (set MANDIR elsewhere;
man must search that folder, e.g. MANPATH=~/.local/share/man:).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// cobra takes the first word of Use as the name; a plugin is two words.
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: "git gitops"},
	}
	root.AddCommand(cli.NewCmdVersion("git-gitops", streams))
	root.AddCommand(NewCmdPromote(streams))
	root.AddCommand(NewCmdRollback(streams))
	root.AddCommand(NewCmdCheck(streams))
	root.AddCommand(NewCmdHistory(streams))
	return root
}
