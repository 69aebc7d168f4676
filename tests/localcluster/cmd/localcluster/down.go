package main

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
)

// pollInterval is how often down checks whether a process is gone.
const pollInterval = 100 * time.Millisecond

// DownOptions stops the daemon of a cluster folder and makes sure no
// component of that folder is left.
type DownOptions struct {
	genericiooptions.IOStreams
	folder
	// Timeout is how long the daemon may take to stop its components
	// before it is killed (its components then die with it).
	Timeout time.Duration
}

// NewCmdDown returns the `down` command.
func NewCmdDown(streams genericiooptions.IOStreams) *cobra.Command {
	o := &DownOptions{IOStreams: streams, folder: newFolder(), Timeout: time.Minute}
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop the cluster; a no-op when it does not run",
		Args:  cobra.NoArgs,
		RunE:  cli.Steps{Complete: cli.NoArgs(o.Complete), Run: o.Run}.RunE,
	}
	o.addDirFlag(cmd.Flags(), "cluster folder")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", o.Timeout, "how long to wait for a clean stop before killing")
	return cmd
}

// Run stops the daemon (SIGTERM, SIGKILL after Timeout), then kills any
// component process still naming the folder.
func (o *DownOptions) Run(ctx context.Context) error {
	pid, ok, err := o.state.running()
	if err != nil {
		return err
	}
	if ok {
		fmt.Fprintf(o.ErrOut, "stopping localcluster in %s (pid %d)\n", o.state.dir, pid)
		if err := terminate(ctx, pid, o.Timeout); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(o.ErrOut, "localcluster does not run in %s\n", o.state.dir)
	}
	for _, p := range leftovers(o.state.dir) {
		fmt.Fprintf(o.ErrOut, "killing leftover %s (pid %d)\n", p.args[0], p.pid)
		if err := terminate(ctx, p.pid, 0); err != nil {
			return err
		}
	}
	if pid != 0 {
		o.state.release(pid) // the daemon does it, unless it was killed
	}
	return nil
}

// terminate sends SIGTERM (SIGKILL right away if grace is 0), waits up to
// grace, then sends SIGKILL and waits until the process is gone.
func terminate(ctx context.Context, pid int, grace time.Duration) error {
	sig := syscall.SIGTERM
	if grace <= 0 {
		sig = syscall.SIGKILL
	}
	if err := syscall.Kill(pid, sig); err != nil && err != syscall.ESRCH {
		return fmt.Errorf("signalling pid %d: %w", pid, err)
	}
	deadline := time.Now().Add(grace)
	for alive(pid) {
		if sig == syscall.SIGTERM && time.Now().After(deadline) {
			sig = syscall.SIGKILL
			_ = syscall.Kill(pid, sig)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for pid %d to stop: %w", pid, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
	return nil
}
