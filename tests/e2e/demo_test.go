//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDemo runs `make demo`'s script, hack/demo.sh, the way CI does (CI=true,
// no stdin) in a folder of its own, and checks that it succeeds and leaves no
// process behind. The timeout only bounds a hung run.
func TestDemo(t *testing.T) {
	root := sealRepoRoot(t)
	bin := t.TempDir()
	for name, pkg := range map[string]string{
		"kubectl-gitops": "./plugins/kubectl-gitops", "git-gitops": "./plugins/git-gitops",
		"gitward-webhook": "./webhook", "gitward-agent": "./agent",
	} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, name), pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", name, err, out)
		}
	}
	demoDir := filepath.Join(t.TempDir(), "demo")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "hack/demo.sh")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CI=true", "DEMO_DIR="+demoDir, "GITWARD_BIN="+bin,
		"GITWARD_TOOLS_BIN="+sealToolsBin(t))
	cmd.Stdin = nil
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("hack/demo.sh: %v\n%s", err, out)
	}
	for _, want := range []string{"Git says 3, this request says 5", "Committed", "s3cr3t", "FAIL plaintext-secret", "nothing left running"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the demo's output lacks %q", want)
		}
	}
	if left, err := exec.Command("pgrep", "-a", "-f", demoDir+"/").Output(); err == nil {
		t.Errorf("processes left running after the demo:\n%s", left)
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", out)
	}
}
