//go:build e2e

package e2e

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
	whcmd "github.com/gitward/gitward/webhook/cmd"
)

// TestHelmFluxAgentUnderWebhook: the agent expands the flux example's
// podinfo HelmRelease to the chart's objects and applies them with the
// webhook enforcing — admitted because the webhook expands the same way —
// and a manual edit of the chart's Deployment is then denied.
func TestHelmFluxAgentUnderWebhook(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := t.Context()
	admin := newClients(t, c.RESTConfig(), nil)
	env := &agentEnv{cfg: c.RESTConfig(), kube: admin.kube, dyn: admin.dyn}
	env.install(t)
	// The example's values route podinfo through the Gateway API, and its
	// HelmRepository stays a Flux object: serve both kinds, as a cluster
	// running that example does.
	openCRD(t, admin, "gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes")
	openCRD(t, admin, "source.toolkit.fluxcd.io", "v1", "HelmRepository", "helmrepositories")
	r := helmFluxRepo(t)
	url := gittest.FileURL(r.Bare())
	const path = "apps/staging"
	wh := startWebhook(t, c.Kubeconfig, url, "enforce", func(o *whcmd.ServeOptions) {
		o.SourceNames, o.Path = []string{"staging"}, path
	})
	registerWebhook(t, admin.kube, wh.url, wh.ca)

	agentCfg := rest.CopyConfig(c.RESTConfig())
	agentCfg.Impersonate = rest.ImpersonationConfig{UserName: agentUser, Groups: []string{"system:masters", "system:authenticated"}}
	s := env.syncer(t, "staging", url, path, func(o *agent.Options) {
		o.Config = agentCfg
		o.Interval = time.Hour
	})
	rep := cycleOK(t, s)
	if rep.Failed != 0 {
		t.Fatalf("failed %d objects: %+v", rep.Failed, rep)
	}
	deployments := admin.kube.AppsV1().Deployments("podinfo")
	dep, err := deployments.Get(ctx, "podinfo", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the chart's Deployment was not applied: %v", err)
	}
	if dep.Labels[provenance.LabelSource] != "staging" || dep.Labels["helm.sh/chart"] == "" {
		t.Errorf("labels of the chart's Deployment: %v", dep.Labels)
	}
	_, err = deployments.Patch(ctx, "podinfo", types.StrategicMergePatchType, []byte(`{"spec":{"replicas":7}}`),
		metav1.PatchOptions{FieldManager: "kubectl-edit"})
	wantDenied(t, "edit", err, "deployment/podinfo", "spec.replicas")
}

// openCRD serves a namespaced kind (schema left open: the test needs the
// kind, not its validation) and waits until it is established.
func openCRD(t *testing.T, c whClients, group, version, kind, plural string) {
	t.Helper()
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": plural + "." + group,
			"annotations": map[string]any{"api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/gateway-api/pull/2466"}},
		"spec": map[string]any{
			"group": group, "scope": "Namespaced",
			"names": map[string]any{"plural": plural, "kind": kind, "listKind": kind + "List"},
			"versions": []any{map[string]any{"name": version, "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
		},
	}}
	gvr := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	if _, err := c.dyn.Resource(gvr).Create(t.Context(), crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		got, err := c.dyn.Resource(gvr).Get(t.Context(), crd.GetName(), metav1.GetOptions{})
		if err == nil {
			conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
			for _, x := range conds {
				if m, ok := x.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
					return
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the %s CRD is not established after 30s", kind)
}
