// Command localcluster runs the local control plane of package
// tests/localcluster detached, for development:
//
//	go run ./tests/localcluster/cmd/localcluster up --dir .local
//	go run ./tests/localcluster/cmd/localcluster status --dir .local
//	go run ./tests/localcluster/cmd/localcluster down --dir .local
//
// `up` starts a background daemon (its own session) that owns etcd,
// kube-apiserver and kube-controller-manager, waits until they are ready and
// prints `export KUBECONFIG=...`. `down` stops the daemon, which stops its
// children; it is a no-op when nothing runs. `status` exits 0 when the
// cluster runs and 3 when it does not.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(cli.Execute(NewCmdRoot(streams), streams))
}
