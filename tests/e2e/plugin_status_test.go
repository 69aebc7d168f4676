//go:build e2e

package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/sourcestatus"
	"github.com/gitward/gitward/tests/localcluster"
)

func TestPluginStatus(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})

	// Without the CRD: a clear message.
	none := runGitops(t, c.Kubeconfig, "", "status")
	if none.code == 0 || !strings.Contains(none.stderr, "SourceState CRD") || !strings.Contains(none.stderr, "kubectl gitops install") {
		t.Errorf("status without the CRD: exit %d, stderr %s", none.code, none.stderr)
	}

	pluginAgentNamespace(t, c)
	dyn := dynamicFor(t, c)
	empty := runGitops(t, c.Kubeconfig, "", "status").mustSucceed(t, "status, no sources")
	if !strings.Contains(empty.stderr, "No sources found in namespace gitward-system") {
		t.Errorf("status with no sources: %q", empty.stderr)
	}

	// A SourceState as the agent writes it: record, then status subresource.
	if err := inventory.EnsureRecord(t.Context(), dyn, "gitward-system", "shop"); err != nil {
		t.Fatal(err)
	}
	head, applied := strings.Repeat("b", 40), strings.Repeat("a", 40)
	patch := `{"status":{"branch":"main","head":"` + head + `","lastAppliedCommit":"` + applied + `","drifted":1,"failed":0,"managed":4,` +
		`"lastError":"fetch: connection refused",` +
		`"driftedObjects":[{"ref":{"group":"apps","kind":"Deployment","namespace":"shop","name":"web"},"managers":["kubectl-edit"],"fields":[".spec.replicas"],"corrected":true}],` +
		`"conditions":[{"type":"Ready","status":"False","reason":"FetchFailed","message":"keeping the last applied state","lastTransitionTime":"2024-01-01T00:00:00Z"}]}}`
	if _, err := dyn.Resource(inventory.GVR).Namespace("gitward-system").Patch(t.Context(), "shop", types.MergePatchType,
		[]byte(patch), metav1.PatchOptions{FieldManager: "gitward-agent"}, "status"); err != nil {
		t.Fatal(err)
	}

	table := runGitops(t, c.Kubeconfig, "", "status").mustSucceed(t, "status")
	for _, want := range []string{"SOURCE", "shop", "aaaaaaa", "bbbbbbb", "Behind", "False (FetchFailed)",
		"shop: last error: fetch: connection refused", "drifted: Deployment.apps shop/web changed by kubectl-edit"} {
		if !strings.Contains(table.stdout, want) {
			t.Errorf("status table lacks %q:\n%s", want, table.stdout)
		}
	}
	js := runGitops(t, c.Kubeconfig, "", "status", "-A", "-o", "json").mustSucceed(t, "status -o json")
	var rep sourcestatus.Report
	if err := json.Unmarshal([]byte(js.stdout), &rep); err != nil {
		t.Fatalf("status -o json: %v\n%s", err, js.stdout)
	}
	if len(rep.Sources) != 1 || rep.Sources[0].Sync != sourcestatus.SyncBehind || rep.Sources[0].Drifted != 1 || rep.Sources[0].Managed != 4 {
		t.Errorf("status json = %+v", rep.Sources)
	}
}
