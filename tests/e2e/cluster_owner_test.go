//go:build e2e

package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitward/gitward/tests/localcluster"
)

// envOwnerDir makes TestClusterOwnerKilled act as the owner: start a cluster
// in the folder it names, print "ready", and block until killed.
const envOwnerDir = "LOCALCLUSTER_E2E_OWNER_DIR"

// TestClusterOwnerKilled checks the guarantee for a test binary killed before
// Stop runs (a -timeout, a SIGKILL): the kernel kills the components.
func TestClusterOwnerKilled(t *testing.T) {
	if dir := os.Getenv(envOwnerDir); dir != "" {
		c, err := localcluster.Start(t.Context(), localcluster.Options{Dir: dir})
		if err != nil {
			t.Fatalf("owner: %v", err)
		}
		os.Stdout.WriteString("ready " + c.Server + "\n")
		select {} // until killed
	}

	dir := filepath.Join(t.TempDir(), "cluster")
	owner := exec.Command(os.Args[0], "-test.run=^TestClusterOwnerKilled$", "-test.timeout=0")
	owner.Env = append(os.Environ(), envOwnerDir+"="+dir)
	owner.Stderr = os.Stderr
	stdout, err := owner.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Start(); err != nil {
		t.Fatalf("starting the owner: %v", err)
	}
	t.Cleanup(func() { _ = owner.Process.Kill(); _ = owner.Wait() })
	ready := false
	for s := bufio.NewScanner(stdout); s.Scan(); {
		if strings.HasPrefix(s.Text(), "ready ") {
			t.Logf("owner (pid %d): %s", owner.Process.Pid, s.Text())
			ready = true
			break
		}
	}
	if !ready {
		t.Fatalf("the owner exited before its cluster was ready")
	}
	pids := componentPIDs(t, dir)
	if len(pids) != 3 {
		t.Fatalf("components of %s: pids %v, want 3", dir, pids)
	}

	if err := owner.Process.Kill(); err != nil {
		t.Fatalf("killing the owner: %v", err)
	}
	_ = owner.Wait()
	// No deadline: the test's -timeout bounds the wait.
	for left := pids; len(left) > 0; left = componentPIDs(t, dir) {
		time.Sleep(poll)
	}
	t.Logf("components %v died with their owner", pids)
}
