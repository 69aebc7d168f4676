//go:build e2e

package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gitward/gitward/pkg/trace"
	"github.com/gitward/gitward/tests/localcluster"
)

func TestPluginSyncThenTrace(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	kube := pluginAgentNamespace(t, c)
	r := pluginRepo(t, false)
	commit := r.Head()
	runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop").mustSucceed(t, "sync")

	traceJSON := func() trace.Result {
		t.Helper()
		out := runGitops(t, c.Kubeconfig, r.Dir, "trace", "deployment/web", "-n", "shop", "-o", "json").mustSucceed(t, "trace")
		var res trace.Result
		if err := json.Unmarshal([]byte(out.stdout), &res); err != nil {
			t.Fatalf("trace -o json: %v\n%s", err, out.stdout)
		}
		return res
	}

	res := traceJSON()
	if res.Source.Name != "shop" || res.Source.Config != "gitward.yaml" || res.Commit.ID != commit ||
		res.Commit.Subject != "shop: first release" || res.Commit.Author != "Gitward Test" || res.File != "app/deployment.yaml" {
		t.Errorf("trace = %+v", res)
	}
	if res.Live == nil || res.Live.Differs {
		t.Errorf("live right after sync: %+v, want no difference", res.Live)
	}

	// Someone scales the Deployment by hand: trace names the field and who.
	if _, err := kube.AppsV1().Deployments("shop").Patch(t.Context(), "web", types.MergePatchType,
		[]byte(`{"spec":{"replicas":3}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	res = traceJSON()
	if res.Live == nil || !res.Live.Differs || !strings.Contains(strings.Join(res.Live.Fields, ","), ".spec.replicas") {
		t.Fatalf("live after a manual scale: %+v", res.Live)
	}
	managers := ""
	for _, m := range res.Live.Managers {
		managers += m.Name + " "
	}
	if !strings.Contains(managers, "kubectl-edit") {
		t.Errorf("managers %q, want kubectl-edit", managers)
	}
	text := runGitops(t, c.Kubeconfig, r.Dir, "trace", "deployment/web", "-n", "shop").mustSucceed(t, "trace text")
	for _, want := range []string{"File:     app/deployment.yaml", "Commit:   " + commit, "Live:     differs", "-  replicas: 3"} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("trace text lacks %q:\n%s", want, text.stdout)
		}
	}

	// Objects Git does not manage, and commits the checkout lacks.
	if _, err := kube.CoreV1().ConfigMaps("shop").Create(t.Context(), configMapObj("by-hand"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	bad := runGitops(t, c.Kubeconfig, r.Dir, "trace", "configmap/by-hand", "-n", "shop")
	if bad.code == 0 || !strings.Contains(bad.stderr, "not managed by gitward") {
		t.Errorf("trace of an unmanaged object: exit %d, stderr %s", bad.code, bad.stderr)
	}
	other := pluginRepo(t, true) // same files plus one: a different commit
	other.Commit("another history")
	missing := runGitops(t, c.Kubeconfig, other.Dir, "trace", "deployment/web", "-n", "shop")
	if missing.code == 0 || !strings.Contains(missing.stderr, "git fetch") {
		t.Errorf("trace against a repository without the commit: exit %d, stderr %s", missing.code, missing.stderr)
	}
}

// configMapObj is a ConfigMap created by hand.
func configMapObj(name string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": "v"}}
}
