//go:build e2e

package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/gitward/gitward/tests/localcluster"
)

// TestClusterStartFailure checks that a component failing at startup makes
// Start return an error with the tail of its log, and leaves no process.
func TestClusterStartFailure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cluster")
	_, err := localcluster.Start(t.Context(), localcluster.Options{
		Dir:                 dir,
		ExtraAPIServerFlags: []string{"--no-such-flag"},
	})
	if !errors.Is(err, localcluster.ErrProcessExited) {
		t.Fatalf("Start with a bad kube-apiserver flag: error = %v, want ErrProcessExited", err)
	}
	t.Logf("Start failed as expected: %v", err)
	for _, want := range []string{"kube-apiserver", "unknown flag: --no-such-flag"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if pids := componentPIDs(t, dir); len(pids) > 0 {
		t.Errorf("processes %v of %s still run after the failed Start", pids, dir)
	}
}

// TestClusterCommand runs `localcluster up`, `status` and `down` as the
// Makefile does.
func TestClusterCommand(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "localcluster")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin,
		"github.com/gitward/gitward/tests/localcluster/cmd/localcluster").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(t.TempDir(), ".local")
	run := func(args ...string) (stdout, stderr string, code int) {
		t.Helper()
		var o, e bytes.Buffer
		cmd := exec.Command(bin, append(args, "--dir", dir)...) // also from t.Cleanup
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			code = exit.ExitCode()
		case err != nil:
			t.Fatalf("running localcluster %v: %v", args, err)
		}
		t.Logf("localcluster %v: exit %d\nstdout: %s\nstderr: %s", args, code, o.String(), e.String())
		return o.String(), e.String(), code
	}
	t.Cleanup(func() { run("down") })

	t.Run("up fails without binaries", func(t *testing.T) {
		_, stderr, code := run("up", "--bin-dir", t.TempDir())
		if code == 0 || !strings.Contains(stderr, "make tools") {
			t.Errorf("up with an empty --bin-dir: exit %d, stderr %q; want a failure naming `make tools`", code, stderr)
		}
	})

	kubeconfig := filepath.Join(dir, "kubeconfig")
	stdout, _, code := run("up")
	if want := "export KUBECONFIG=" + kubeconfig + "\n"; code != 0 || stdout != want {
		t.Fatalf("up: exit %d, stdout %q; want 0 and %q", code, stdout, want)
	}
	daemon := readPID(t, filepath.Join(dir, "localcluster.pid"))
	components := componentPIDs(t, dir)
	if len(components) != 3 {
		t.Errorf("components of %s: pids %v, want 3", dir, components)
	}

	t.Run("kubeconfig works", func(t *testing.T) {
		cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			t.Fatalf("loading %s: %v", kubeconfig, err)
		}
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			t.Fatalf("client: %v", err)
		}
		if _, err := cs.CoreV1().Namespaces().Get(t.Context(), "default", metav1.GetOptions{}); err != nil {
			t.Errorf("getting namespace default through %s: %v", kubeconfig, err)
		}
	})
	t.Run("status and up again", func(t *testing.T) {
		if stdout, _, code := run("status"); code != 0 || !strings.Contains(stdout, "ready") {
			t.Errorf("status: exit %d, stdout %q; want 0 and ready", code, stdout)
		}
		if stdout, _, code := run("up"); code != 0 || !strings.Contains(stdout, kubeconfig) {
			t.Errorf("second up: exit %d, stdout %q; want 0 and the kubeconfig", code, stdout)
		}
		if got := readPID(t, filepath.Join(dir, "localcluster.pid")); got != daemon {
			t.Errorf("second up replaced daemon %d by %d", daemon, got)
		}
	})

	if _, _, code := run("down"); code != 0 {
		t.Fatalf("down: exit %d", code)
	}
	if running(daemon) {
		t.Errorf("daemon (pid %d) still runs after down", daemon)
	}
	if pids := componentPIDs(t, dir); len(pids) > 0 {
		t.Errorf("components %v still run after down", pids)
	}
	for _, f := range []string{"localcluster.pid", "kubeconfig"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s still exists after down", f)
		}
	}
	if _, stderr, code := run("down"); code != 0 || !strings.Contains(stderr, "does not run") {
		t.Errorf("second down: exit %d, stderr %q; want 0 and `does not run`", code, stderr)
	}
	if _, _, code := run("status"); code != 3 {
		t.Errorf("status after down: exit %d, want 3", code)
	}
}

func readPID(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s holds %q: %v", path, b, err)
	}
	return pid
}

// componentPIDs lists the running etcd, kube-apiserver and
// kube-controller-manager processes whose command line names dir.
func componentPIDs(t *testing.T, dir string) []int {
	t.Helper()
	cmdlines, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, path := range cmdlines {
		b, err := os.ReadFile(path)
		if err != nil || len(b) == 0 {
			continue
		}
		args := strings.Split(string(b), "\x00")
		switch filepath.Base(args[0]) {
		case localcluster.Etcd, localcluster.KubeAPIServer, localcluster.KubeControllerManager:
		default:
			continue
		}
		if strings.Contains(string(b), dir+"/") {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			pids = append(pids, pid)
		}
	}
	return pids
}

// running reports whether pid runs: it exists and is not a zombie (the
// daemon is an orphan once `up` exits; init may be slow to reap it).
func running(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}
