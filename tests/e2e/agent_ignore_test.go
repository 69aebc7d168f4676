//go:build e2e

package e2e

import (
	"testing"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
	whcmd "github.com/gitward/gitward/webhook/cmd"
)

// hpaUser is the HorizontalPodAutoscaler's identity in kube-controller-manager.
const hpaUser = "system:serviceaccount:kube-system:horizontal-pod-autoscaler"

// TestAgentIgnore: with the ignore rule apps/Deployment:spec.replicas given
// to both the webhook and the agent, a scale — by a person, which the rule
// lets through the webhook, and by the HorizontalPodAutoscaler's identity
// and field manager — stays put through ten agent cycles (a Git change of
// the same Deployment included), while other drift (an image changed with
// break-glass) is healed.
func TestAgentIgnore(t *testing.T) {
	const rule = "apps/Deployment:spec.replicas"
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := t.Context()
	admin := newClients(t, c.RESTConfig(), nil)
	glass := newClients(t, c.RESTConfig(), &rest.ImpersonationConfig{UserName: "bob",
		Groups: []string{"system:masters", "gitward:break-glass"}})
	hpa := newClients(t, c.RESTConfig(), &rest.ImpersonationConfig{UserName: hpaUser,
		Groups: []string{"system:masters", "system:serviceaccounts"}})
	env := &agentEnv{cfg: c.RESTConfig(), kube: admin.kube, dyn: admin.dyn}
	env.install(t)
	managed := map[string]string{provenance.LabelSource: "production"}
	for _, ns := range []string{"shop", "shop-tmp"} {
		if _, err := admin.kube.CoreV1().Namespaces().Create(ctx, namespaceObj(ns, managed), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	repo := &whRepo{work: gittest.NewRepo(t)}
	repo.writeState(2, "registry.k8s.io/pause:3.9", "blue", true)
	repo.commit("c1")
	repo.bare = repo.work.Bare()
	url := gittest.FileURL(repo.bare)
	wh := startWebhook(t, c.Kubeconfig, url, "enforce", func(o *whcmd.ServeOptions) { o.IgnoreRules = []string{rule} })
	registerWebhook(t, admin.kube, wh.url, wh.ca)

	ignore, err := admit.ParseIgnoreRule(rule)
	if err != nil {
		t.Fatal(err)
	}
	agentCfg := rest.CopyConfig(c.RESTConfig())
	agentCfg.Impersonate = rest.ImpersonationConfig{UserName: agentUser, Groups: []string{"system:masters", "system:authenticated"}}
	s := env.syncer(t, "production", url, "overlays/production", func(o *agent.Options) {
		o.Config, o.Interval, o.Ignore = agentCfg, time.Hour, []admit.IgnoreRule{ignore}
	})
	cycleOK(t, s)
	wantReplicas(t, admin.kube, "web", 2) // the first apply sets Git's value
	wantReplicas(t, admin.kube, "gc-demo", 1)

	scaleTo(t, admin.kube, "web", 5, "kubectl")                   // a person, let through by the rule
	scaleTo(t, hpa.kube, "gc-demo", 4, "kube-controller-manager") // the HPA
	_, err = glass.kube.AppsV1().Deployments("shop").Patch(ctx, "web", types.StrategicMergePatchType,
		[]byte(`{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"registry.k8s.io/pause:3.8"}]}}}}`),
		metav1.PatchOptions{FieldManager: "kubectl-edit"})
	if err != nil {
		t.Fatalf("break-glass image change: %v", err)
	}

	for cycle := 1; cycle <= 10; cycle++ {
		if cycle == 5 { // Git changes web: its apply must leave replicas too
			repo.writeState(3, "registry.k8s.io/pause:3.10", "blue", true)
			repo.commit("c2: new image, new replicas (ignored)")
			repo.work.Push(repo.bare, "main")
		}
		rep := cycleOK(t, s)
		if rep.Drifted > 0 {
			t.Logf("cycle %d: drift %v", cycle, env.status(t, "production")["driftedObjects"])
		}
		if cycle == 1 && rep.Drifted != 1 {
			t.Errorf("cycle 1: drifted %d, want 1 (web's image)", rep.Drifted)
		}
		if cycle > 1 && cycle != 5 && (rep.Drifted != 0 || rep.Applied != 0) {
			t.Errorf("cycle %d: drifted %d, applied %d; want nothing (the scales are not drift)", cycle, rep.Drifted, rep.Applied)
		}
		wantReplicas(t, admin.kube, "web", 5)
		wantReplicas(t, admin.kube, "gc-demo", 4)
		want := "registry.k8s.io/pause:3.9"
		if cycle >= 5 {
			want = "registry.k8s.io/pause:3.10"
		}
		if got := image(t, admin.kube, "web"); got != want {
			t.Errorf("cycle %d: web's image %s, want Git's %s", cycle, got, want)
		}
	}
	st := env.status(t, "production")
	wantReady(t, st, "True", agent.ReasonSynced)
	if st["drifted"] != int64(0) {
		t.Errorf("status drifted = %v, want 0", st["drifted"])
	}
}

// scaleTo updates Deployment shop/name's scale subresource as manager.
func scaleTo(t *testing.T, kube kubernetes.Interface, name string, n int32, manager string) {
	t.Helper()
	sc := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"}, Spec: autoscalingv1.ScaleSpec{Replicas: n}}
	if _, err := kube.AppsV1().Deployments("shop").UpdateScale(t.Context(), name, sc, metav1.UpdateOptions{FieldManager: manager}); err != nil {
		t.Fatalf("scale %s to %d as %s: %v", name, n, manager, err)
	}
}

// image returns the first container's image of Deployment shop/name.
func image(t *testing.T, kube kubernetes.Interface, name string) string {
	t.Helper()
	d, err := kube.AppsV1().Deployments("shop").Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d.Spec.Template.Spec.Containers[0].Image
}
