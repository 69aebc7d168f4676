package localcluster

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// tailBytes is how much of a log's end tail reads.
const tailBytes = 8 << 10

// process is one running component.
type process struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{} // closed once the process exited and was reaped
	waitErr error         // valid after done is closed
}

// processSpec describes a process to start.
type processSpec struct {
	name    string
	binary  string
	args    []string
	dir     string // working folder
	logPath string // stdout and stderr go here (truncated)
}

// startProcess starts spec from the spawner's thread, in its own process
// group, with Pdeathsig where the platform has it.
func startProcess(sp *spawner, spec processSpec) (*process, error) {
	logFile, err := os.OpenFile(spec.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("localcluster: creating log %s: %w", spec.logPath, err)
	}
	defer logFile.Close() // the child holds its own descriptor
	cmd := exec.Command(spec.binary, spec.args...)
	cmd.Dir = spec.dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = childSysProcAttr()
	if err := sp.start(cmd); err != nil {
		return nil, fmt.Errorf("localcluster: starting %s (%s): %w", spec.name, spec.binary, err)
	}
	p := &process{name: spec.name, logPath: spec.logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// pid returns the process id.
func (p *process) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitError describes how the process exited, with the tail of its log.
func (p *process) exitError() error {
	return fmt.Errorf("localcluster: %w: %s (pid %d) exited: %v; log %s ends with:\n%s",
		ErrProcessExited, p.name, p.pid(), p.waitErr, p.logPath, p.tail())
}

// stop sends SIGTERM to the process group, then SIGKILL after grace, and
// waits until the process is reaped.
func (p *process) stop(grace time.Duration) {
	if p.exited() {
		return
	}
	_ = signalGroup(p.pid(), syscall.SIGTERM)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
		_ = signalGroup(p.pid(), syscall.SIGKILL)
		<-p.done
	}
	// Members of the group that outlived its leader (the components do not
	// fork, but be sure). The group id cannot be reused while it has members.
	_ = signalGroup(p.pid(), syscall.SIGKILL)
}

// tail returns the last lines of the log, at most tailBytes.
func (p *process) tail() string { return tailFile(p.logPath) }

// tailFile returns the end of a file, starting at a line boundary.
func tailFile(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	off := max(fi.Size()-tailBytes, 0)
	b, err := io.ReadAll(io.NewSectionReader(f, off, fi.Size()-off))
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	if off > 0 {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return strings.TrimRight(string(b), "\n")
}
