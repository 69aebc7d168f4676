//go:build e2e

package e2e

import (
	"os"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

func TestPluginInstallApply(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	src := "shop=https://git.example.com/org/manifests.git@main:overlays/shop"

	printed := runGitops(t, c.Kubeconfig, "", "install", "--source", src).mustSucceed(t, "install (print)")
	if !strings.Contains(printed.stdout, "kind: ValidatingWebhookConfiguration") {
		t.Fatalf("printed manifests lack the webhook configuration")
	}
	// A server dry run on a fresh cluster checks what it can, says what it
	// cannot (objects in the namespace, and of the kind, the install
	// creates), and creates nothing.
	dry := runGitops(t, c.Kubeconfig, "", "install", "--source", src, "--apply", "--dry-run", "--agent-namespace", "gw").mustSucceed(t, "install --apply --dry-run")
	for _, want := range []string{"namespace/gw serverside-applied (server dry run)",
		"customresourcedefinition.apiextensions.k8s.io/sourcestates.gitward.dev serverside-applied (server dry run)",
		"Deployment gw/gitward-webhook not checked (server dry run): namespace gw is part of this install",
		"clusterrole.rbac.authorization.k8s.io/"} {
		if !strings.Contains(dry.stdout, want) {
			t.Errorf("install --apply --dry-run output lacks %q:\n%s", want, dry.stdout)
		}
	}
	if _, err := kubernetes.NewForConfigOrDie(c.RESTConfig()).CoreV1().Namespaces().Get(t.Context(), "gw", metav1.GetOptions{}); err == nil {
		t.Errorf("install --apply --dry-run created namespace gw")
	}
	out := runGitops(t, c.Kubeconfig, "", "install", "--source", src, "--apply", "--wait=false", "--agent-namespace", "gw").mustSucceed(t, "install --apply")
	for _, want := range []string{"namespace/gw serverside-applied", "deployment.apps/gitward-webhook serverside-applied",
		"deployment.apps/gitward-agent serverside-applied", "validatingwebhookconfiguration.admissionregistration.k8s.io/gitward-webhook serverside-applied"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("install --apply output lacks %q:\n%s", want, out.stdout)
		}
	}
	kube := kubernetes.NewForConfigOrDie(c.RESTConfig())
	for _, name := range []string{"gitward-webhook", "gitward-agent"} {
		d, err := kube.AppsV1().Deployments("gw").Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("Deployment gw/%s: %v", name, err)
		}
		if img := d.Spec.Template.Spec.Containers[0].Image; !strings.HasPrefix(img, "ghcr.io/gitward/gitward:") {
			t.Errorf("%s image %q", name, img)
		}
	}
	vwc, err := kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(t.Context(), "gitward-webhook", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if svc := vwc.Webhooks[0].ClientConfig.Service; svc == nil || svc.Namespace != "gw" {
		t.Errorf("webhook service %+v, want namespace gw", svc)
	}
	crd := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	if _, err := dynamicFor(t, c).Resource(crd).Get(t.Context(), "sourcestates.gitward.dev", metav1.GetOptions{}); err != nil {
		t.Errorf("SourceState CRD: %v", err)
	}
	// This cluster has no node and no network behind its Services: the API
	// server resolves the webhook's Service to its EndpointSlices (none)
	// and fails the call locally; it never dials the Service IP
	// (localcluster runs it with --enable-aggregator-routing). Without
	// --wait the configuration stays failurePolicy Ignore, so the write
	// itself is admitted; the API server's log says why the call failed.
	// The webhook's path through its Service is TestInCluster*'s, on a node.
	labelled := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "labelled", Namespace: "default",
		Labels: map[string]string{provenance.LabelSource: "shop"}}}
	if _, err := kube.CoreV1().ConfigMaps("default").Create(t.Context(), labelled, metav1.CreateOptions{}); err != nil {
		t.Errorf("a managed write with the webhook configuration failing open: %v", err)
	}
	for _, p := range c.Processes() {
		if p.Name != localcluster.KubeAPIServer {
			continue
		}
		eventually(t, "kube-apiserver logs the webhook call failing without endpoints", func() bool {
			b, _ := os.ReadFile(p.LogFile)
			return strings.Contains(string(b), `no endpoints available for service "gitward-webhook"`)
		})
		if b, _ := os.ReadFile(p.LogFile); strings.Contains(string(b), "dial tcp 10.0.0.") {
			t.Errorf("kube-apiserver dialed a Service IP (%s)", p.LogFile)
		}
	}
	// Applying again is idempotent.
	runGitops(t, c.Kubeconfig, "", "install", "--source", src, "--apply", "--wait=false", "--agent-namespace", "gw").mustSucceed(t, "second install --apply")
	// status now finds the CRD, and no source yet.
	st := runGitops(t, c.Kubeconfig, "", "status", "--agent-namespace", "gw").mustSucceed(t, "status after install")
	if !strings.Contains(st.stderr, "No sources found in namespace gw") {
		t.Errorf("status after install: %q", st.stderr)
	}
}

// TestPluginInstallPolicyOnly installs with --admission policy: the agent and
// the ValidatingAdmissionPolicy floor, no webhook; the policy then refuses a
// managed object without a commit annotation.
func TestPluginInstallPolicyOnly(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	src := "shop=https://git.example.com/org/manifests.git@main:overlays/shop"
	out := runGitops(t, c.Kubeconfig, "", "install", "--source", src, "--apply", "--admission", "policy").mustSucceed(t, "install --admission policy")
	for _, want := range []string{"deployment.apps/gitward-agent serverside-applied",
		"validatingadmissionpolicy.admissionregistration.k8s.io/gitward-commit-annotation serverside-applied",
		"validatingadmissionpolicybinding.admissionregistration.k8s.io/gitward-commit-annotation serverside-applied"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, out.stdout)
		}
	}
	if strings.Contains(out.stdout, "gitward-webhook") {
		t.Errorf("--admission policy installed webhook objects:\n%s", out.stdout)
	}
	kube := kubernetes.NewForConfigOrDie(c.RESTConfig())
	if _, err := kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(t.Context(), "gitward-webhook", metav1.GetOptions{}); err == nil {
		t.Error("a ValidatingWebhookConfiguration exists")
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "by-hand", Namespace: "default",
		Labels: map[string]string{provenance.LabelSource: "shop"}}}
	eventually(t, "the installed policy refuses a managed object without a commit", func() bool {
		_, err := kube.CoreV1().ConfigMaps("default").Create(t.Context(), cm, metav1.CreateOptions{})
		if err == nil {
			_ = kube.CoreV1().ConfigMaps("default").Delete(t.Context(), cm.Name, metav1.DeleteOptions{})
		}
		return err != nil && strings.Contains(err.Error(), "gitward.dev/commit")
	})
	bad := runGitops(t, c.Kubeconfig, "", "install", "--source", src, "--admission", "policy", "--cert-manager")
	if bad.code == 0 || !strings.Contains(bad.stderr, "installs no webhook") {
		t.Errorf("--admission policy --cert-manager: exit %d, stderr %q", bad.code, bad.stderr)
	}
}
