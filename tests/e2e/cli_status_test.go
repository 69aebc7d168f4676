//go:build e2e

package e2e

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/tests/localcluster"
)

// status shows the commit a kubectl gitops sync applied after the agent's
// last cycle, and exits 1 when a source failed to apply, as kubectl
// rollout status does (issue 14).
func TestCLIStatusNewestCommitAndFailedExit(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	pluginAgentNamespace(t, c)
	dyn := dynamicFor(t, c)
	r := pluginRepo(t, false)
	if err := inventory.EnsureRecord(t.Context(), dyn, "gitward-system", "shop"); err != nil {
		t.Fatal(err)
	}
	old := strings.Repeat("a", 40)
	agentStatus := func(reason string, failed int) {
		t.Helper()
		patch := `{"status":{"branch":"main","head":"` + old + `","lastAppliedCommit":"` + old + `","failed":` + string(rune('0'+failed)) +
			`,"conditions":[{"type":"Ready","status":"False","reason":"` + reason + `","message":"m","lastTransitionTime":"2024-01-01T00:00:00Z"}]}}`
		if _, err := dyn.Resource(inventory.GVR).Namespace("gitward-system").Patch(t.Context(), "shop", types.MergePatchType,
			[]byte(patch), metav1.PatchOptions{FieldManager: "gitward-agent"}, "status"); err != nil {
			t.Fatal(err)
		}
	}
	agentStatus("ApplyFailed", 1)
	failed := runGitops(t, c.Kubeconfig, "", "status")
	if failed.code != 1 || !strings.Contains(failed.stderr, "failed to apply") {
		t.Errorf("status with an ApplyFailed source: exit %d, want 1\nstderr:\n%s", failed.code, failed.stderr)
	}

	agentStatus("FetchFailed", 0)
	runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop").mustSucceed(t, "sync")
	st := runGitops(t, c.Kubeconfig, "", "status").mustSucceed(t, "status after sync")
	if !strings.Contains(st.stdout, r.Head()[:7]+" (sync)") {
		t.Errorf("status does not show the commit sync applied (%s):\n%s", r.Head()[:7], st.stdout)
	}
}
