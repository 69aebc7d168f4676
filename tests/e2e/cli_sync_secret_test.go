//go:build e2e

package e2e

import (
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitward/gitward/tests/localcluster"
)

// sync refuses a Secret committed in plaintext, pointing at seal; the flag
// lets it through (issue 14: the value ended up readable without a word).
func TestCLISyncRefusesPlaintextSecret(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	kube := pluginAgentNamespace(t, c)
	r := pluginRepo(t, false)
	r.WriteFile("app/db.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData: {password: s3cr3t-Value-42}\n").
		WriteFile("app/kustomization.yaml", "resources: [namespace.yaml, deployment.yaml, settings.yaml, db.yaml]\n")
	r.Commit("shop: a plaintext Secret")

	refused := runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop")
	if refused.code == 0 || !strings.Contains(refused.stderr, "kubectl gitops seal") || !strings.Contains(refused.stderr, "Secret shop/db") {
		t.Fatalf("sync of a plaintext Secret: exit %d\nstderr:\n%s", refused.code, refused.stderr)
	}
	if _, err := kube.CoreV1().Secrets("shop").Get(t.Context(), "db", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the refused sync applied the Secret (err %v)", err)
	}
	runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop", "--allow-plaintext-secrets").mustSucceed(t, "sync --allow-plaintext-secrets")
	if _, err := kube.CoreV1().Secrets("shop").Get(t.Context(), "db", metav1.GetOptions{}); err != nil {
		t.Fatalf("--allow-plaintext-secrets did not apply the Secret: %v", err)
	}
}
