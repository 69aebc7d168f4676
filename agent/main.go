// Command gitward-agent: In-cluster agent: pull the repository, apply it, prune, self-heal, report.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/agent/cmd"
	"github.com/gitward/gitward/pkg/cli"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(cli.Execute(cmd.NewCmdRoot(streams), streams))
}
