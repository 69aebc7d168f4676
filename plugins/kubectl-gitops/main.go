// Command kubectl-gitops is the kubectl plugin: `kubectl gitops diff|seal|trace|status|sync|install`.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/plugins/kubectl-gitops/cmd"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(cli.Execute(cmd.NewCmdGitops(streams), streams))
}
