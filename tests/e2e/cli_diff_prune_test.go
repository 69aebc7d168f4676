//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/tests/localcluster"
)

// Without a gitward.yaml, diff finds the source from the live objects' label
// and shows what Git no longer declares as deletions (issue 14: "0 to
// delete" while the agent then deleted it).
func TestCLIDiffWithoutConfigShowsPruneCandidates(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	r := gittest.NewRepo(t)
	r.WriteFile("app/kustomization.yaml", "resources: [a.yaml, b.yaml]\n").
		WriteFile("app/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\ndata: {x: \"1\"}\n").
		WriteFile("app/b.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: default}\nspec: {ports: [{port: 80}]}\n")
	first := r.Commit("two objects")
	applyFolder(t, c, r.Dir, "app", "shop", first)

	r.Remove("app/b.yaml").WriteFile("app/kustomization.yaml", "resources: [a.yaml]\n")
	r.Commit("drop the Service")
	got := runDiff(t, c.Kubeconfig, r.Dir+"/app", "-o", "json")
	if got.code != 1 {
		t.Fatalf("diff exit %d, want 1 (differences)\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
	}
	if a := got.actions(t); a["Service/b"] != diff.Delete {
		t.Errorf("diff does not show the Service as a deletion: %v\nstderr: %s", a, got.stderr)
	}
	if !strings.Contains(got.stderr, "gitward.dev/source=shop") {
		t.Errorf("diff does not say which source it pruned for:\n%s", got.stderr)
	}
}
