package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/tests/localcluster"
)

// Messages of the ready pipe from the daemon to `up`: one line starting with
// readyOK or readyFailed, then free text.
const (
	readyOK     = "ok"
	readyFailed = "error"
)

// ServeOptions runs the cluster in the foreground until SIGTERM or SIGINT;
// `up` runs it as a detached daemon.
type ServeOptions struct {
	genericiooptions.IOStreams
	folder
	BinDir  string
	ReadyFD int // a pipe to report readiness on; 0: none
}

// NewCmdServe returns the hidden `serve` command.
func NewCmdServe(streams genericiooptions.IOStreams) *cobra.Command {
	o := &ServeOptions{IOStreams: streams, folder: newFolder()}
	cmd := &cobra.Command{
		Use:    serveCommand,
		Short:  "Run the cluster in the foreground (what `up` runs detached)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE:   cli.Steps{Complete: cli.NoArgs(o.Complete), Run: o.Run}.RunE,
	}
	o.addDirFlag(cmd.Flags(), "cluster folder")
	cmd.Flags().StringVar(&o.BinDir, "bin-dir", o.BinDir, "folder of the component binaries (default: $GITWARD_TOOLS_BIN, else <repo>/.cache/bin)")
	cmd.Flags().IntVar(&o.ReadyFD, "ready-fd", 0, "file descriptor to report readiness on")
	return cmd
}

// Run starts the cluster, reports readiness and serves until a signal or a
// component's exit, then stops the cluster.
func (o *ServeOptions) Run(ctx context.Context) (err error) {
	var ready *os.File
	if o.ReadyFD > 0 {
		// Inherited without close-on-exec: keep the components from
		// holding the pipe open, or `up` would never read its end.
		syscall.CloseOnExec(o.ReadyFD)
		ready = os.NewFile(uintptr(o.ReadyFD), "ready")
		defer ready.Close()
	}
	report := func(format string, a ...any) {
		if ready != nil {
			_, _ = fmt.Fprintf(ready, format, a...)
			_ = ready.Close()
			ready = nil
		}
	}
	defer func() {
		if err != nil {
			report("%s %v\n", readyFailed, err)
		}
	}()

	pid := os.Getpid()
	if err := o.state.claim(pid); err != nil {
		return err
	}
	defer o.state.release(pid)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	began := time.Now()
	c, err := localcluster.Start(ctx, localcluster.Options{Dir: o.state.dir, BinDir: o.BinDir})
	if err != nil {
		return err
	}
	took := time.Since(began).Round(time.Millisecond)
	fmt.Fprintf(o.ErrOut, "%s cluster ready at %s in %s (pid %d)\n", now(), c.Server, took, pid)
	report("%s %s in %s\n", readyOK, c.Server, took)

	waitErr := c.Wait(ctx)
	if waitErr != nil {
		fmt.Fprintf(o.ErrOut, "%s %v\n", now(), waitErr)
	}
	fmt.Fprintf(o.ErrOut, "%s stopping\n", now())
	stopErr := c.Stop()
	fmt.Fprintf(o.ErrOut, "%s stopped\n", now())
	return errors.Join(waitErr, stopErr)
}

func now() string { return time.Now().Format(time.RFC3339) }
