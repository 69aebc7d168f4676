//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

// TestWebhook runs gitward-webhook (the serve command, in process, on
// loopback) against a real control plane and a real Git repository, and
// shows what it rejects, what it admits, how it fails and how it recovers.
func TestWebhook(t *testing.T) {
	// The API server authenticates to the webhook (break-glass Events are
	// written only for authenticated callers).
	c := localcluster.StartForTest(t, localcluster.Options{WebhookClientCert: true})
	admin := newClients(t, c.RESTConfig(), nil)
	glass := newClients(t, c.RESTConfig(), &rest.ImpersonationConfig{UserName: "bob",
		Groups: []string{"system:masters", "gitward:break-glass"}})
	ctx := t.Context()

	// Git: c1, then c2 and c3 pushed later; a side branch; c4 drops gc-demo.
	repo := &whRepo{work: gittest.NewRepo(t)}
	repo.writeState(2, "registry.k8s.io/pause:3.9", "blue", true)
	c1 := repo.commit("c1")
	repo.bare = repo.work.Bare()
	repo.writeState(3, "registry.k8s.io/pause:3.10", "green", true)
	c2 := repo.commit("c2")
	repo.writeState(3, "registry.k8s.io/pause:3.10", "red", true)
	c3 := repo.commit("c3")
	repo.work.Git("checkout", "--quiet", "-b", "feature")
	repo.writeState(3, "registry.k8s.io/pause:3.10", "purple", true)
	side := repo.commit("side")
	repo.work.Push(repo.bare, "feature")
	repo.work.Git("checkout", "--quiet", "main")

	managed := map[string]string{provenance.LabelSource: "production"}
	for _, ns := range []string{"shop", "shop-tmp"} {
		if _, err := admin.kube.CoreV1().Namespaces().Create(ctx, namespaceObj(ns, managed), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	wh := startWebhook(t, c.Kubeconfig, gittest.FileURL(repo.bare), "enforce", requireAPIServerCert(c), adminIsTheAgent)
	registerWebhook(t, admin.kube, wh.url, wh.ca)
	// The shipped configuration does not send what the deployment controller
	// writes during a rollout (the Deployment's status subresource,
	// ReplicaSets): a second configuration sends it here, to show that when
	// it does reach the webhook, it is admitted.
	dropControllerTraffic := registerControllerTraffic(t, admin.kube, wh.url, wh.ca)

	applyAt := func(t *testing.T, cl whClients, commit provenance.CommitID, objs ...string) error {
		t.Helper()
		rendered := repo.render(t, commit)
		for _, kn := range objs {
			kind, name, _ := strings.Cut(kn, "/")
			if err := whApply(ctx, cl.dyn, find(t, rendered, kind, name), "gitward"); err != nil {
				return err
			}
		}
		return nil
	}
	all := []string{"Deployment/web", "Deployment/gc-demo", "ConfigMap/settings", "ConfigMap/tmp-settings"}

	t.Run("admitted: Git's content at head", func(t *testing.T) {
		if err := applyAt(t, admin, c1, all...); err != nil {
			t.Fatalf("apply c1: %v", err)
		}
	})
	t.Run("admitted: the previous commit while head moved on", func(t *testing.T) {
		repo.work.Push(repo.bare, "main") // head is now c3; the webhook has not fetched it
		if err := applyAt(t, admin, c2, all...); err != nil {
			t.Fatalf("apply c2 with head at c3: %v", err)
		}
		if err := applyAt(t, admin, c3, all...); err != nil {
			t.Fatalf("apply c3: %v", err)
		}
	})
	deployments := admin.kube.AppsV1().Deployments("shop")
	t.Run("admitted: the deployment controller during a rollout", func(t *testing.T) {
		waitFor(t, "deployment shop/web observed by its controller", func(ctx context.Context) (bool, error) {
			d, err := deployments.Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			return d.Status.ObservedGeneration == d.Generation && d.Annotations["deployment.kubernetes.io/revision"] != "", nil
		})
		waitFor(t, "replicasets and pods of shop/web", func(ctx context.Context) (bool, error) {
			rs, err := admin.kube.AppsV1().ReplicaSets("shop").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
			if err != nil {
				return false, err
			}
			pods, err := admin.kube.CoreV1().Pods("shop").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
			return len(rs.Items) >= 2 && len(pods.Items) >= 3, err // c1's and c2's templates
		})
		// What the deployment controller wrote during the rollouts of c1, c2
		// and c3 (the Deployment's status with its revision annotation, new
		// ReplicaSets) reached the webhook through the second configuration
		// and was admitted.
		for _, resource := range []string{"deployments", "replicasets"} {
			waitFor(t, "the deployment controller's "+resource+" requests in the decision log", func(context.Context) (bool, error) {
				return len(controllerDecisions(wh.logs.String(), "deployment-controller", resource)) > 0, nil
			})
			lines := controllerDecisions(wh.logs.String(), "deployment-controller", resource)
			for _, line := range lines {
				if !strings.Contains(line, `"action":"allowed"`) {
					t.Errorf("the deployment controller's request was not admitted: %s", line)
				}
			}
			t.Logf("deployment controller %s requests seen and admitted: %d, e.g. %s", resource, len(lines), lines[0])
		}
		for _, reason := range []string{"exempt-identity"} {
			if n := decisionCount(t, wh.probe, "allowed", reason); n < 1 {
				t.Errorf("gitward_webhook_decisions_total{action=allowed,reason=%s} = %v, want at least 1", reason, n)
			}
		}
		if n := decisionCount(t, wh.probe, "denied", "exempt-identity") + decisionCount(t, wh.probe, "errored", "bad-request"); n != 0 {
			t.Errorf("%v denied or errored requests of exempt identities", n)
		}
		dropControllerTraffic()
	})

	// Rejections, each the way kubectl sends it.
	t.Run("rejected: kubectl edit", func(t *testing.T) {
		_, err := deployments.Patch(ctx, "web", types.StrategicMergePatchType, []byte(`{"spec":{"replicas":5}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"})
		wantDenied(t, "edit", err, "deployment/web in namespace shop", "source production", "commit "+c3.Short(),
			"spec.replicas — Git says 3, this request says 5", "Change overlays/production in Git, or ask for break-glass.")
	})
	t.Run("rejected: kubectl scale", func(t *testing.T) {
		_, err := deployments.Patch(ctx, "web", types.MergePatchType, []byte(`{"spec":{"replicas":5}}`), metav1.PatchOptions{FieldManager: "kubectl-scale"}, "scale")
		wantDenied(t, "scale", err, "spec.replicas — Git says 3, this request says 5")
	})
	t.Run("rejected: kubectl set image", func(t *testing.T) {
		_, err := deployments.Patch(ctx, "web", types.StrategicMergePatchType,
			[]byte(`{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:evil"}]}}}}`), metav1.PatchOptions{FieldManager: "kubectl-set"})
		wantDenied(t, "set image", err, `spec.template.spec.containers[0].image — Git says "registry.k8s.io/pause:3.10", this request says "nginx:evil"`)
	})
	t.Run("rejected: kubectl label and annotate", func(t *testing.T) {
		_, err := deployments.Patch(ctx, "web", types.MergePatchType, []byte(`{"metadata":{"labels":{"team":"blue"}}}`), metav1.PatchOptions{FieldManager: "kubectl-label"})
		wantDenied(t, "label", err, `metadata.labels[team] — Git does not declare it, this request sets it to "blue"`)
		_, err = deployments.Patch(ctx, "web", types.MergePatchType, []byte(`{"metadata":{"annotations":{"owner":"bob"}}}`), metav1.PatchOptions{FieldManager: "kubectl-annotate"})
		wantDenied(t, "annotate", err, `metadata.annotations[owner] — Git does not declare it`)
		_, err = deployments.Patch(ctx, "web", types.MergePatchType, []byte(`{"metadata":{"labels":{"gitward.dev/source":null}}}`), metav1.PatchOptions{FieldManager: "kubectl-label"})
		wantDenied(t, "remove the source label", err, `metadata.labels[gitward.dev/source] — Git says "production", this request leaves it out`)
	})
	t.Run("rejected: kubectl delete of an object Git declares", func(t *testing.T) {
		err := deployments.Delete(ctx, "web", metav1.DeleteOptions{})
		wantDenied(t, "delete", err, "Git still declares it at the head of branch main", "Remove it from overlays/production in Git")
	})
	t.Run("rejected: kubectl create in a managed namespace", func(t *testing.T) {
		_, err := admin.kube.CoreV1().ConfigMaps("shop").Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "hand-made"}, Data: map[string]string{"a": "b"}}, metav1.CreateOptions{})
		wantDenied(t, "create", err, "configmap/hand-made in namespace shop", "Git does not declare configmap/hand-made at the head of branch main",
			"Add it to overlays/production in Git")
	})
	t.Run("rejected: an apply that copies the commit annotation but changes a field", func(t *testing.T) {
		u := find(t, repo.render(t, c3), "ConfigMap", "settings")
		u.Object["data"] = map[string]any{"color": "black"}
		wantDenied(t, "apply", whApply(ctx, admin.dyn, u, "kubectl"), `data[color] — Git says "red", this request says "black"`)
	})
	t.Run("rejected: a commit that is not on the branch", func(t *testing.T) {
		err := applyAt(t, admin, side, "ConfigMap/settings")
		wantDenied(t, "side branch", err, "commit "+side.Short()+" is not on branch main")
	})
	t.Run("rejected: a commit older than the live object's", func(t *testing.T) {
		err := applyAt(t, admin, c1, "ConfigMap/settings")
		wantDenied(t, "rollback", err, "commit "+c1.Short()+" does not descend from the live object's commit "+c3.Short())
	})
	t.Run("rejected: a very large object is a reasoned decision", func(t *testing.T) {
		_, err := admin.kube.CoreV1().ConfigMaps("shop").Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "big"}, Data: map[string]string{"blob": strings.Repeat("x", 900<<10)}}, metav1.CreateOptions{})
		wantDenied(t, "big", err, "Git does not declare configmap/big")
	})

	t.Run("admitted: break-glass, with a warning and an Event", func(t *testing.T) {
		_, err := glass.kube.AppsV1().Deployments("shop").Patch(ctx, "web", types.MergePatchType, []byte(`{"spec":{"replicas":4}}`), metav1.PatchOptions{}, "scale")
		if err != nil {
			t.Fatalf("break-glass scale: %v", err)
		}
		if w := strings.Join(glass.warnings.take(), "\n"); !strings.Contains(w, "break-glass") || !strings.Contains(w, "Git says 3") {
			t.Errorf("warnings %q", w)
		}
		waitFor(t, "a BreakGlass Event", func(ctx context.Context) (bool, error) {
			evs, err := admin.kube.CoreV1().Events("shop").List(ctx, metav1.ListOptions{})
			for _, e := range evs.Items {
				if e.Reason == "BreakGlass" && e.InvolvedObject.Name == "web" && strings.Contains(e.Message, "bob") {
					return true, nil
				}
			}
			return false, err
		})
		// Git's content puts it back.
		if err := applyAt(t, admin, c3, "Deployment/web"); err != nil {
			t.Fatalf("re-apply c3: %v", err)
		}
	})

	t.Run("admitted: garbage collection after Git drops an object", func(t *testing.T) {
		repo.writeState(3, "registry.k8s.io/pause:3.10", "red", false)
		repo.commit("c4: drop gc-demo")
		repo.work.Push(repo.bare, "main")
		// Foreground deletion: the garbage collector deletes the ReplicaSets,
		// then updates gc-demo to drop its finalizer, through the webhook.
		err := deployments.Delete(ctx, "gc-demo", metav1.DeleteOptions{PropagationPolicy: ptrTo(metav1.DeletePropagationForeground)})
		if err != nil {
			t.Fatalf("delete gc-demo right after the commit that removed it: %v", err)
		}
		waitFor(t, "gc-demo to be gone", func(ctx context.Context) (bool, error) {
			_, err := deployments.Get(ctx, "gc-demo", metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		})
		// The garbage collector is exempt by name in the configuration's
		// matchConditions: its requests never reach the webhook.
		if strings.Contains(wh.logs.String(), "system:serviceaccount:kube-system:generic-garbage-collector") {
			t.Error("the garbage collector's requests reached the webhook")
		}
	})
	t.Run("admitted: deleting a namespace", func(t *testing.T) {
		if err := admin.kube.CoreV1().Namespaces().Delete(ctx, "shop-tmp", metav1.DeleteOptions{}); err != nil {
			t.Fatalf("delete namespace shop-tmp: %v", err)
		}
		waitFor(t, "namespace shop-tmp to be gone", func(ctx context.Context) (bool, error) {
			_, err := admin.kube.CoreV1().Namespaces().Get(ctx, "shop-tmp", metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		})
	})

	t.Run("bad input to the running server", func(t *testing.T) {
		hc := webhookClient(t, wh.ca, apiServerIdentity(t, c)) // bad input as if from the API server itself
		for _, body := range []string{`{"request":`, "\x00garbage", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","object":[1]}}`} {
			resp, err := hc.Post(wh.url, "application/json", bytes.NewReader([]byte(body)))
			if err != nil {
				t.Fatalf("post %q: %v", body, err)
			}
			resp.Body.Close()
		}
		resp, err := hc.Post(wh.url, "text/plain", bytes.NewReader([]byte("{}")))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// Still serving: a real request is still decided.
		_, err = deployments.Patch(ctx, "web", types.MergePatchType, []byte(`{"spec":{"replicas":6}}`), metav1.PatchOptions{}, "scale")
		wantDenied(t, "after bad input", err, "Git says 3")
	})

	t.Run("warn mode: admitted with warnings", func(t *testing.T) {
		wh.stop()
		warn := startWebhook(t, c.Kubeconfig, gittest.FileURL(repo.bare), "warn", requireAPIServerCert(c), adminIsTheAgent)
		registerWebhook(t, admin.kube, warn.url, warn.ca)
		admin.warnings.take()
		// The API server picks up the new URL a moment later.
		waitFor(t, "warn mode to admit a scale", func(ctx context.Context) (bool, error) {
			_, err := deployments.Patch(ctx, "web", types.MergePatchType, []byte(`{"spec":{"replicas":7}}`), metav1.PatchOptions{}, "scale")
			if err != nil && !strings.Contains(err.Error(), "failed calling webhook") {
				t.Fatalf("warn mode denied: %v", err)
			}
			return err == nil, err
		})
		if w := strings.Join(admin.warnings.take(), "\n"); !strings.Contains(w, "warn mode") || !strings.Contains(w, "Git says 3, this request says 7") {
			t.Errorf("warnings %q", w)
		}
		warn.stop()
	})

	t.Run("outage: system namespaces work, managed ones fail closed, deleting the configuration recovers", func(t *testing.T) {
		// The webhook is stopped; its configuration still points at it.
		if _, err := admin.kube.CoreV1().ConfigMaps("kube-system").Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "during-outage"}}, metav1.CreateOptions{}); err != nil {
			t.Errorf("kube-system during the outage: %v", err)
		}
		_, err := admin.kube.CoreV1().ConfigMaps("shop").Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "during-outage"}}, metav1.CreateOptions{})
		if err == nil || !strings.Contains(err.Error(), `failed calling webhook "managed-namespaces.gitward.dev"`) {
			t.Errorf("shop during the outage: %v; want a failure calling the webhook", err)
		} else {
			t.Logf("fail closed: %v", err)
		}
		if err := admin.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(ctx, "gitward-webhook", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "admission to recover", func(ctx context.Context) (bool, error) {
			_, err := admin.kube.CoreV1().ConfigMaps("shop").Create(ctx, &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: "after-recovery"}}, metav1.CreateOptions{})
			return err == nil, err
		})
	})
}
