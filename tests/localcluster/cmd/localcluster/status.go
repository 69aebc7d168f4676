package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/gitward/gitward/pkg/cli"
)

// exitNotRunning is status's exit code when no cluster runs (as LSB's
// "program is not running").
const exitNotRunning = 3

// readyzTimeout bounds status's health check.
const readyzTimeout = 5 * time.Second

// StatusOptions reports whether the cluster of a folder runs.
type StatusOptions struct {
	genericiooptions.IOStreams
	folder
}

// NewCmdStatus returns the `status` command.
func NewCmdStatus(streams genericiooptions.IOStreams) *cobra.Command {
	o := &StatusOptions{IOStreams: streams, folder: newFolder()}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Print whether the cluster runs (exit 0) or not (exit 3)",
		Args:  cobra.NoArgs,
		RunE:  cli.Steps{Complete: cli.NoArgs(o.Complete), Run: o.Run}.RunE,
	}
	o.addDirFlag(cmd.Flags(), "cluster folder")
	return cmd
}

// Run prints the daemon's pid, the kubeconfig and the API server's
// readiness, or "not running" with exit code 3.
func (o *StatusOptions) Run(ctx context.Context) error {
	pid, ok, err := o.state.running()
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintf(o.Out, "localcluster: not running in %s\n", o.state.dir)
		return &cli.ExitError{Code: exitNotRunning}
	}
	fmt.Fprintf(o.Out, "localcluster: running in %s (pid %d)\nKUBECONFIG=%s\n", o.state.dir, pid, o.state.kubeconfig)
	server, err := o.readyz(ctx)
	if err != nil {
		fmt.Fprintf(o.Out, "api: not ready: %v\n", err)
		return nil
	}
	fmt.Fprintf(o.Out, "api: %s ready\n", server)
	return nil
}

// readyz asks the API server of the kubeconfig for /readyz.
func (o *StatusOptions) readyz(ctx context.Context) (string, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", o.state.kubeconfig)
	if err != nil {
		return "", err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return cfg.Host, err
	}
	ctx, cancel := context.WithTimeout(ctx, readyzTimeout)
	defer cancel()
	if _, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx); err != nil {
		return cfg.Host, fmt.Errorf("%s: %w", cfg.Host, err)
	}
	return cfg.Host, nil
}
