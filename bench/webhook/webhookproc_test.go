//go:build e2e

package webhook_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gitward/gitward/pkg/webhookserver"
)

// webhookProc is a running gitward-webhook binary.
type webhookProc struct {
	cmd        *exec.Cmd
	url, probe string
	ca         []byte
	logs       *lockedBuffer
	exited     chan error
}

// startWebhookBinary builds and runs `gitward-webhook serve` for one source
// on loopback, and waits until it is ready (its head rendering cached).
func startWebhookBinary(b *testing.B, kubeconfig, repoURL, path string, extraEnv ...string) *webhookProc {
	b.Helper()
	bin := buildWebhook(b)
	dir, ca := certDir(b)
	addr, probe := freePort(b), freePort(b)
	w := &webhookProc{url: "https://" + addr + webhookserver.ValidatePath, probe: "http://" + probe, ca: ca,
		logs: &lockedBuffer{}, exited: make(chan error, 1)}
	w.cmd = exec.Command(bin, "serve", "--kubeconfig", kubeconfig, "--source", "production", "--repo", repoURL,
		"--branch", "main", "--path", path, "--cert-dir", dir, "--addr", addr, "--probe-addr", probe,
		"--agent-user", "localcluster-admin") // the benchmark applies as the agent with the admin's client
	if benchHTTP2() {
		w.cmd.Args = append(w.cmd.Args, "--enable-http2")
	}
	w.cmd.Env = append(os.Environ(), extraEnv...)
	// GITWARD_BENCH_WEBHOOK_ENV adds variables to the webhook's environment
	// only ("GOGC=200 GOMAXPROCS=1"), to measure process settings.
	w.cmd.Env = append(w.cmd.Env, strings.Fields(os.Getenv("GITWARD_BENCH_WEBHOOK_ENV"))...)
	w.cmd.Stdout, w.cmd.Stderr = w.logs, w.logs
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := w.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() { w.exited <- w.cmd.Wait() }()
	b.Cleanup(func() {
		_ = w.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-w.exited:
		case <-time.After(10 * time.Second):
			_ = w.cmd.Process.Kill()
		}
		if b.Failed() {
			b.Logf("gitward-webhook log:\n%s", w.logs.String())
		}
	})
	readyz(b, w.probe, w.exited)
	return w
}

// cpuTime is the user + system CPU time the process has used.
func (w *webhookProc) cpuTime() time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", w.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are the 14th and 15th fields of the line.
	rest := stat[bytes.LastIndexByte(stat, ')')+2:]
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// status returns a field of /proc/PID/status in KiB (VmRSS, VmHWM).
func (w *webhookProc) status(field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// freePort returns a free loopback address.
func freePort(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer is a goroutine-safe log sink.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
