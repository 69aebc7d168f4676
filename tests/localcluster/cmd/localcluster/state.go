package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// serveCommand is the hidden subcommand the daemon runs.
const serveCommand = "serve"

// state names the files of a cluster folder that the command manages; the
// cluster's own files (pki/, etcd-data/, logs/, kubeconfig) live beside them.
type state struct {
	dir        string // absolute
	pidFile    string // the daemon's pid
	daemonLog  string // the daemon's stdout and stderr
	kubeconfig string
}

func newState(dir string) (state, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return state{}, fmt.Errorf("cluster folder %q: %w", dir, err)
	}
	return state{
		dir:        abs,
		pidFile:    filepath.Join(abs, "localcluster.pid"),
		daemonLog:  filepath.Join(abs, "localcluster.log"),
		kubeconfig: filepath.Join(abs, "kubeconfig"),
	}, nil
}

// daemonArgs are the arguments the daemon of this folder runs with; they
// also identify it in /proc.
func (s state) daemonArgs() []string { return []string{serveCommand, "--dir=" + s.dir} }

// readPID returns the pid in the pid file, or 0 if there is none.
func (s state) readPID() (int, error) {
	b, err := os.ReadFile(s.pidFile)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", s.pidFile, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%s holds %q, not a process id: remove it", s.pidFile, b)
	}
	return pid, nil
}

// running returns the pid of this folder's daemon if it runs.
func (s state) running() (int, bool, error) {
	pid, err := s.readPID()
	if err != nil || pid == 0 {
		return 0, false, err
	}
	return pid, isDaemon(pid, s.daemonArgs()), nil
}

// claim writes pid to the pid file unless a live daemon holds it.
func (s state) claim(pid int) error {
	if other, ok, err := s.running(); err == nil && ok && other != pid {
		return fmt.Errorf("a cluster already runs in %s (pid %d): run `localcluster down --dir %s` first", s.dir, other, s.dir)
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", s.dir, err)
	}
	if err := os.WriteFile(s.pidFile, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", s.pidFile, err)
	}
	return nil
}

// release removes the pid file if it holds pid, and the kubeconfig, which
// would point at a stopped server.
func (s state) release(pid int) {
	if got, err := s.readPID(); err == nil && got == pid {
		_ = os.Remove(s.pidFile)
	}
	_ = os.Remove(s.kubeconfig)
}
