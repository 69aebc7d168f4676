package main

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// defaultDir is the state folder, relative to the working folder.
const defaultDir = ".local"

// NewCmdRoot returns the localcluster command and its subcommands.
func NewCmdRoot(streams genericiooptions.IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:           "localcluster",
		Short:         "Run a local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager) on 127.0.0.1",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		NewCmdUp(streams),
		NewCmdDown(streams),
		NewCmdStatus(streams),
		NewCmdServe(streams),
	)
	return root
}
