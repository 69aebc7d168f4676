//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

// agentUser is the identity the agent acts as in TestAgentUnderWebhook: not
// one of the webhook's exempt identities, so every write it makes is
// checked against Git.
const agentUser = "system:serviceaccount:gitward-system:gitward-agent"

// TestAgentUnderWebhook runs gitward-webhook in enforce mode (in process, on
// loopback, registered by URL) and the agent against the same Git
// repository, and shows that every change the agent makes is admitted —
// creates, updates, a prune, a revert and a drift correction — while a
// manual edit of the same objects is still denied.
func TestAgentUnderWebhook(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := t.Context()
	admin := newClients(t, c.RESTConfig(), nil)
	glass := newClients(t, c.RESTConfig(), &rest.ImpersonationConfig{UserName: "bob",
		Groups: []string{"system:masters", "gitward:break-glass"}})
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
	wh := startWebhook(t, c.Kubeconfig, url, "enforce")
	registerWebhook(t, admin.kube, wh.url, wh.ca)

	agentCfg := rest.CopyConfig(c.RESTConfig())
	agentCfg.Impersonate = rest.ImpersonationConfig{UserName: agentUser, Groups: []string{"system:masters", "system:authenticated"}}
	s := env.syncer(t, "production", url, "overlays/production", func(o *agent.Options) {
		o.Config = agentCfg
		o.Interval = time.Hour
	})
	deployments := admin.kube.AppsV1().Deployments("shop")
	// pushCycle pushes the working repository's head to main and runs one cycle.
	pushCycle := func(t *testing.T) agent.Report {
		t.Helper()
		repo.work.Push(repo.bare, "main")
		return cycleOK(t, s)
	}

	t.Run("creates are admitted", func(t *testing.T) {
		rep := cycleOK(t, s)
		if rep.Applied != 4 || rep.Failed != 0 {
			t.Fatalf("applied %d, failed %d; want 4 objects created", rep.Applied, rep.Failed)
		}
		wantReplicas(t, admin.kube, "web", 2)
	})
	t.Run("updates are admitted", func(t *testing.T) {
		repo.writeState(3, "registry.k8s.io/pause:3.10", "green", true)
		repo.commit("c2: scale, new image, new color")
		rep := pushCycle(t)
		if rep.Applied != 2 {
			t.Errorf("applied %d, want 2 (web and settings)", rep.Applied)
		}
		wantReplicas(t, admin.kube, "web", 3)
	})
	t.Run("a prune is admitted", func(t *testing.T) {
		repo.writeState(3, "registry.k8s.io/pause:3.10", "green", false)
		repo.commit("c3: drop gc-demo")
		rep := pushCycle(t)
		if rep.Pruned != 1 {
			t.Fatalf("pruned %d, want 1 (gc-demo)", rep.Pruned)
		}
		waitFor(t, "gc-demo to be gone", func(ctx context.Context) (bool, error) {
			_, err := deployments.Get(ctx, "gc-demo", metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		})
	})
	t.Run("a revert is admitted", func(t *testing.T) {
		repo.work.Git("revert", "--no-edit", "HEAD")
		rep := pushCycle(t)
		if rep.Applied != 1 {
			t.Errorf("applied %d, want 1 (gc-demo again)", rep.Applied)
		}
		if _, err := deployments.Get(ctx, "gc-demo", metav1.GetOptions{}); err != nil {
			t.Fatalf("gc-demo after the revert: %v", err)
		}
	})
	t.Run("a manual edit is denied", func(t *testing.T) {
		_, err := deployments.Patch(ctx, "web", types.StrategicMergePatchType, []byte(`{"spec":{"replicas":5}}`),
			metav1.PatchOptions{FieldManager: "kubectl-edit"})
		wantDenied(t, "edit", err, "deployment/web in namespace shop", "spec.replicas — Git says 3, this request says 5")
		wantReplicas(t, admin.kube, "web", 3)
	})
	t.Run("a drift correction is admitted", func(t *testing.T) {
		// Only break-glass can make drift now; the agent undoes it.
		_, err := glass.kube.AppsV1().Deployments("shop").Patch(ctx, "web", types.StrategicMergePatchType,
			[]byte(`{"spec":{"replicas":5}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"})
		if err != nil {
			t.Fatalf("break-glass scale: %v", err)
		}
		wantReplicas(t, admin.kube, "web", 5)
		rep := s.Cycle(ctx, agent.TriggerWatch)
		if rep.Err != nil || rep.Drifted != 1 {
			t.Fatalf("self-heal: drifted %d, err %v; want web corrected", rep.Drifted, rep.Err)
		}
		wantReplicas(t, admin.kube, "web", 3)
	})
	t.Run("the webhook checked and admitted every change of the agent", func(t *testing.T) {
		ops, reasons := map[string]int{}, map[string]int{}
		for _, line := range strings.Split(wh.logs.String(), "\n") {
			var d struct {
				Msg, Operation, User, Action, Reason, Namespace, Name string
			}
			if json.Unmarshal([]byte(line), &d) != nil || d.Msg != "decision" || d.User != agentUser {
				continue
			}
			if d.Action != "allowed" {
				t.Errorf("a request of the agent was not admitted: %s", line)
			}
			ops[d.Operation]++
			reasons[d.Reason]++
		}
		t.Logf("the webhook's decisions on the agent's requests: operations %v, reasons %v", ops, reasons)
		// 4 creates and the revert's; 2 updates and the heal (and, when the
		// server sends it, the heal's dry run); the prune's delete.
		if ops["CREATE"] != 5 || ops["UPDATE"] < 3 || ops["DELETE"] != 1 {
			t.Errorf("operations = %v, want CREATE 5, UPDATE at least 3, DELETE 1", ops)
		}
		// Admitted because they are what Git says, not because of who sent them.
		for reason := range reasons {
			if reason != "matches-git" && reason != "no-longer-in-git" {
				t.Errorf("reasons = %v, want only matches-git and no-longer-in-git", reasons)
			}
		}
		if reasons["no-longer-in-git"] != 1 {
			t.Errorf("reasons = %v, want the prune admitted as no-longer-in-git", reasons)
		}
	})
}

// wantReplicas fails unless Deployment shop/name has n replicas.
func wantReplicas(t *testing.T, kube kubernetes.Interface, name string, n int32) {
	t.Helper()
	d, err := kube.AppsV1().Deployments("shop").Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas != n {
		t.Errorf("deployment shop/%s: replicas %v, want %d", name, d.Spec.Replicas, n)
	}
}
