//go:build e2e

package e2e

import (
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/tests/localcluster"
)

// A sync without --prune records its inventory, and a later --prune deletes
// what its dry run listed (issue 14: "0 pruned" while the dry run said
// "delete").
func TestCLISyncRecordsInventoryAndPrunesWhatDryRunLists(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	kube := pluginAgentNamespace(t, c)
	r := pluginRepo(t, true)

	runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop").mustSucceed(t, "sync without --prune")
	env := &agentEnv{dyn: dynamicFor(t, c)}
	inv := env.inventory(t, "shop")
	if !slices.Contains(inv, "/ConfigMap/shop/legacy") {
		t.Fatalf("a sync without --prune recorded no inventory entry for legacy: %v", inv)
	}

	// An object labelled for the source that no inventory names (applied by
	// a sync before inventories were recorded) is found by its label.
	if err := env.dyn.Resource(inventory.GVR).Namespace("gitward-system").Delete(t.Context(), "shop", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	writePluginApp(r, false)
	r.Commit("shop: drop legacy")
	dry := runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop", "--prune", "--dry-run", "--summary").mustSucceed(t, "dry run")
	if !strings.Contains(dry.stdout, "legacy") {
		t.Fatalf("dry run does not list legacy for deletion:\n%s", dry.stdout)
	}
	out := runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop", "--prune").mustSucceed(t, "sync --prune")
	if !strings.Contains(out.stdout, "pruned    ConfigMap shop/legacy") {
		t.Errorf("sync --prune output:\n%s", out.stdout)
	}
	if _, err := kube.CoreV1().ConfigMaps("shop").Get(t.Context(), "legacy", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("legacy still there after sync --prune (err %v)", err)
	}
}
