//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"

	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

// TestAgentAdopt: with the webhook enforcing, the agent takes over what
// existed before gitward — Namespace shop made by `kubectl create namespace`,
// a Deployment made by hand, a ConfigMap last written by Helm — stamps them,
// reports the takeover (Events, status: adopted N objects and who managed
// them before), and from then on they are guarded. Nobody but the agent may
// do the stamping.
func TestAgentAdopt(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := t.Context()
	admin := newClients(t, c.RESTConfig(), nil)
	env := &agentEnv{cfg: c.RESTConfig(), kube: admin.kube, dyn: admin.dyn}
	env.install(t)

	// What the cluster holds before gitward arrives.
	if _, err := admin.kube.CoreV1().Namespaces().Create(ctx, namespaceObj("shop", nil),
		metav1.CreateOptions{FieldManager: "kubectl-create"}); err != nil {
		t.Fatal(err)
	}
	web := &appsv1.Deployment{}
	decodeYAML(t, whDeployment("web", 1, "registry.k8s.io/pause:3.9"), web)
	web.Namespace = "shop"
	if _, err := admin.kube.AppsV1().Deployments("shop").Create(ctx, web, metav1.CreateOptions{FieldManager: "kubectl-create"}); err != nil {
		t.Fatal(err)
	}
	helmCM := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: "shop",
		Labels:      map[string]string{"app.kubernetes.io/managed-by": "Helm"},
		Annotations: map[string]string{"meta.helm.sh/release-name": "shop"}}, Data: map[string]string{"color": "red"}}
	if _, err := admin.kube.CoreV1().ConfigMaps("shop").Create(ctx, helmCM, metav1.CreateOptions{FieldManager: "helm"}); err != nil {
		t.Fatal(err)
	}

	repo := gittest.NewRepo(t)
	repo.WriteFile("overlays/production/kustomization.yaml", "namespace: shop\nresources: [namespace.yaml, deployment.yaml, configmap.yaml]\n")
	repo.WriteFile("overlays/production/namespace.yaml", namespaceYAML("shop"))
	repo.WriteFile("overlays/production/deployment.yaml", whDeployment("web", 2, "registry.k8s.io/pause:3.10"))
	repo.WriteFile("overlays/production/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n")
	head := repo.Commit("c1: shop")
	bare := repo.Bare()
	url := gittest.FileURL(bare)
	wh := startWebhook(t, c.Kubeconfig, url, "enforce")
	registerWebhook(t, admin.kube, wh.url, wh.ca)

	stamp := fmt.Sprintf(`{"metadata":{"labels":{%q:"production"},"annotations":{%q:%q}}}`,
		provenance.LabelSource, provenance.AnnotationCommit, head)
	t.Run("nobody but the agent stamps an object that exists", func(t *testing.T) {
		_, err := admin.kube.CoreV1().Namespaces().Patch(ctx, "shop", types.MergePatchType, []byte(stamp),
			metav1.PatchOptions{FieldManager: "kubectl-label"})
		wantDenied(t, "stamp Namespace shop", err, "only the gitward agent adopts")
		// A sidecar made by hand, then stamped: Git would vouch for it.
		_, err = admin.kube.AppsV1().Deployments("shop").Patch(ctx, "web", types.JSONPatchType,
			[]byte(`[{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"miner","image":"registry.k8s.io/pause:3.9"}}]`),
			metav1.PatchOptions{FieldManager: "kubectl-edit"})
		if err != nil {
			t.Fatalf("add a sidecar while shop is not managed: %v", err)
		}
		_, err = admin.kube.AppsV1().Deployments("shop").Patch(ctx, "web", types.MergePatchType, []byte(stamp),
			metav1.PatchOptions{FieldManager: "kubectl-annotate"})
		wantDenied(t, "stamp deployment web holding a sidecar", err, "only the gitward agent adopts")
		// The sidecar goes before the agent adopts web: server-side apply
		// leaves what other managers set (see the report of issue 15).
		_, err = admin.kube.AppsV1().Deployments("shop").Patch(ctx, "web", types.JSONPatchType,
			[]byte(`[{"op":"remove","path":"/spec/template/spec/containers/1"}]`), metav1.PatchOptions{FieldManager: "kubectl-edit"})
		if err != nil {
			t.Fatal(err)
		}
	})

	agentCfg := rest.CopyConfig(c.RESTConfig())
	agentCfg.Impersonate = rest.ImpersonationConfig{UserName: agentUser, Groups: []string{"system:masters", "system:authenticated"}}
	s := env.syncer(t, "production", url, "overlays/production", func(o *agent.Options) {
		o.Config = agentCfg
		o.Interval = time.Hour
		o.Recorder = eventRecorder(t, admin.kube)
	})
	t.Run("the agent adopts and reports it", func(t *testing.T) {
		rep := cycleOK(t, s)
		if rep.Adopted != 3 {
			t.Errorf("adopted %d, want 3 (Namespace shop, deployment web, configmap settings)", rep.Adopted)
		}
		st := env.status(t, "production")
		if st["adopted"] != int64(3) {
			t.Errorf("status.adopted = %v, want 3", st["adopted"])
		}
		_, _, msg := condition(st, agent.CondApplied)
		if !strings.Contains(msg, "adopted 3 objects, managed before by") || !strings.Contains(msg, "helm (1)") ||
			!strings.Contains(msg, "kubectl-create (2)") {
			t.Errorf("Applied condition %q does not say what was adopted from whom", msg)
		}
		t.Logf("status: %s; adoptedObjects %v", msg, st["adoptedObjects"])
		wantReplicas(t, admin.kube, "web", 2)
		if v, _ := env.cmData(t, "shop", "settings"); v != "blue" {
			t.Errorf("settings color = %q, want Git's blue", v)
		}
		ns, err := admin.kube.CoreV1().Namespaces().Get(ctx, "shop", metav1.GetOptions{})
		if err != nil || ns.Labels[provenance.LabelSource] != "production" || ns.Annotations[provenance.AnnotationCommit] != head {
			t.Errorf("Namespace shop not stamped: %v %v (%v)", ns.Labels, ns.Annotations, err)
		}
		waitEvent(t, admin.kube, agentNamespace, agent.ReasonAdopted, "adopted 3 objects")
		waitEvent(t, admin.kube, "shop", agent.ReasonAdopted, "managed before by kubectl-create")
	})
	t.Run("a second cycle adopts nothing", func(t *testing.T) {
		if rep := cycleOK(t, s); rep.Adopted != 0 || rep.Applied != 0 {
			t.Errorf("adopted %d, applied %d; want 0 and 0", rep.Adopted, rep.Applied)
		}
	})
	t.Run("adopted objects are guarded", func(t *testing.T) {
		_, err := admin.kube.AppsV1().Deployments("shop").Patch(ctx, "web", types.StrategicMergePatchType,
			[]byte(`{"spec":{"replicas":5}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"})
		wantDenied(t, "kubectl scale web", err, "spec.replicas — Git says 2, this request says 5")
		_, err = admin.kube.CoreV1().ConfigMaps("shop").Patch(ctx, "settings", types.MergePatchType,
			[]byte(`{"data":{"color":"red"}}`), metav1.PatchOptions{FieldManager: "helm"})
		wantDenied(t, "helm upgrade settings", err, `data[color] — Git says "blue", this request says "red"`)
		_, err = admin.kube.CoreV1().ConfigMaps("shop").Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "extra"}}, metav1.CreateOptions{FieldManager: "kubectl-create"})
		wantDenied(t, "create in the adopted namespace", err, "Git does not declare configmap/extra")
	})
	t.Run("the webhook admitted the takeover as what Git says", func(t *testing.T) {
		for _, line := range strings.Split(wh.logs.String(), "\n") {
			if strings.Contains(line, `"decision"`) && strings.Contains(line, agentUser) && !strings.Contains(line, `"allowed"`) {
				t.Errorf("a request of the agent was not admitted: %s", line)
			}
		}
	})
}

// decodeYAML decodes a manifest into obj.
func decodeYAML(t *testing.T, manifest string, obj runtime.Object) {
	t.Helper()
	if _, _, err := scheme.Codecs.UniversalDeserializer().Decode([]byte(manifest), nil, obj); err != nil {
		t.Fatal(err)
	}
}

// eventRecorder records Events through kube as the agent binary does, until
// the test ends.
func eventRecorder(t *testing.T, kube kubernetes.Interface) record.EventRecorder {
	t.Helper()
	b := record.NewBroadcaster()
	b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: kube.CoreV1().Events("")})
	t.Cleanup(b.Shutdown)
	return b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "gitward-agent"})
}

// waitEvent waits for an Event in ns with reason whose message holds text.
func waitEvent(t *testing.T, kube kubernetes.Interface, ns, reason, text string) {
	t.Helper()
	var seen []string
	eventually(t, fmt.Sprintf("an Event %s in %s saying %q (seen %v)", reason, ns, text, seen), func() bool {
		list, err := kube.CoreV1().Events(ns).List(t.Context(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		seen = seen[:0]
		for _, e := range list.Items {
			seen = append(seen, e.Reason+": "+e.Message)
			if e.Reason == reason && strings.Contains(e.Message, text) {
				t.Logf("event on %s/%s: %s", e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Message)
				return true
			}
		}
		return false
	})
}

// cmData returns ConfigMap ns/name's data[color].
func (e *agentEnv) cmData(t *testing.T, ns, name string) (string, bool) {
	t.Helper()
	cm, err := e.kube.CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, ok := cm.Data["color"]
	return v, ok
}
