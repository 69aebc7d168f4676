package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/tests/localcluster"
)

// UpOptions starts the cluster as a detached daemon and waits until it is
// ready.
type UpOptions struct {
	genericiooptions.IOStreams
	folder
	BinDir string

	executable string
}

// NewCmdUp returns the `up` command.
func NewCmdUp(streams genericiooptions.IOStreams) *cobra.Command {
	o := &UpOptions{IOStreams: streams, folder: newFolder()}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the cluster in the background and print `export KUBECONFIG=...`",
		Args:  cobra.NoArgs,
		RunE:  cli.Steps{Complete: cli.NoArgs(o.Complete), Validate: o.Validate, Run: o.Run}.RunE,
	}
	o.addDirFlag(cmd.Flags(), "cluster folder (state, logs, kubeconfig)")
	cmd.Flags().StringVar(&o.BinDir, "bin-dir", o.BinDir, "folder of the component binaries (default: $GITWARD_TOOLS_BIN, else <repo>/.cache/bin)")
	return cmd
}

// Complete resolves the folders and this program's path.
func (o *UpOptions) Complete() error {
	if err := o.folder.Complete(); err != nil {
		return err
	}
	var err error
	if o.executable, err = os.Executable(); err != nil {
		return fmt.Errorf("finding this program to run it as a daemon: %w", err)
	}
	// Resolve the binaries here, so that a missing one fails now, in the
	// foreground, with advice.
	lo := localcluster.Options{BinDir: o.BinDir}
	if err := lo.Complete(); err != nil {
		return err
	}
	o.BinDir = lo.BinDir
	return nil
}

// Validate checks that the component binaries exist.
func (o *UpOptions) Validate() error {
	lo := localcluster.Options{BinDir: o.BinDir}
	return lo.Validate()
}

// Run starts the daemon unless it runs already and waits for its report.
func (o *UpOptions) Run(ctx context.Context) error {
	if pid, ok, err := o.state.running(); err != nil {
		return err
	} else if ok {
		fmt.Fprintf(o.ErrOut, "localcluster already runs in %s (pid %d)\n", o.state.dir, pid)
		fmt.Fprintf(o.Out, "export KUBECONFIG=%s\n", o.state.kubeconfig)
		return nil
	}
	if err := os.MkdirAll(o.state.dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", o.state.dir, err)
	}
	cmd, ready, err := o.startDaemon()
	if err != nil {
		return err
	}
	defer ready.Close()

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	msg := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(ready) // EOF once the daemon reported or died
		msg <- strings.TrimSpace(string(b))
	}()
	select {
	case <-ctx.Done():
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		return errors.New("interrupted: the cluster was stopped")
	case m := <-msg:
		if rest, ok := strings.CutPrefix(m, readyOK+" "); ok {
			pid := cmd.Process.Pid
			_ = cmd.Process.Release()
			fmt.Fprintf(o.ErrOut, "localcluster ready at %s (pid %d); logs in %s; stop with `localcluster down --dir %s`\n",
				rest, pid, o.state.dir, o.state.dir)
			fmt.Fprintf(o.Out, "export KUBECONFIG=%s\n", o.state.kubeconfig)
			return nil
		}
		_ = cmd.Wait()
		if rest, ok := strings.CutPrefix(m, readyFailed+" "); ok {
			return fmt.Errorf("starting the cluster in %s: %s", o.state.dir, rest)
		}
		return fmt.Errorf("the localcluster daemon exited without reporting (%v); %s ends with:\n%s",
			cmd.ProcessState, o.state.daemonLog, tail(o.state.daemonLog))
	}
}

// startDaemon runs `serve` detached: its own session, stdin from /dev/null,
// output to the daemon log, readiness reported on the returned pipe.
func (o *UpOptions) startDaemon() (*exec.Cmd, *os.File, error) {
	logFile, err := os.Create(o.state.daemonLog)
	if err != nil {
		return nil, nil, fmt.Errorf("creating %s: %w", o.state.daemonLog, err)
	}
	defer logFile.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("creating the ready pipe: %w", err)
	}
	defer w.Close()
	args := append(o.state.daemonArgs(), "--bin-dir="+o.BinDir, "--ready-fd=3")
	cmd := exec.Command(o.executable, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.ExtraFiles = []*os.File{w} // fd 3
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		_ = r.Close()
		return nil, nil, fmt.Errorf("starting the localcluster daemon %s: %w", o.executable, err)
	}
	return cmd, r, nil
}

// tail returns the last lines of a file.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(len(lines)-40, 0):], "\n")
}
