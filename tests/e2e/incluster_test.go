//go:build e2e

package e2e

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

const (
	inClusterNS = "gitward-system"
	pushSecret  = "e2e-push-secret"
)

// inClusterGitwardYAML declares one environment and its source.
const inClusterGitwardYAML = `apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
- {name: shop, path: app}
sources:
- {name: shop, branch: main, path: app}
`

// writeInClusterApp writes app/: Namespace shop, Deployment web (the
// node's pause image, never pulled), ConfigMap settings with a=value and,
// with legacy, ConfigMap legacy.
func writeInClusterApp(r *gittest.Repo, value string, legacy bool) {
	resources := "[namespace.yaml, deployment.yaml, settings.yaml"
	if legacy {
		resources += ", legacy.yaml"
		r.WriteFile("app/legacy.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: legacy, namespace: shop}\ndata: {x: \"1\"}\n")
	} else {
		r.Remove("app/legacy.yaml")
	}
	r.WriteFile("gitward.yaml", inClusterGitwardYAML).
		WriteFile("app/kustomization.yaml", "resources: "+resources+"]\n").
		WriteFile("app/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n").
		WriteFile("app/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: \""+value+"\"}\n").
		WriteFile("app/deployment.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "`+localcluster.PauseImage+`", imagePullPolicy: Never}
`)
}

// inClusterEnv is a node cluster with gitward installed from its image by
// `kubectl gitops install --apply`, tracking a repository served inside
// the node's namespace.
type inClusterEnv struct {
	c       *localcluster.Cluster
	kube    kubernetes.Interface
	repo    *gittest.Repo
	bare    string
	repoURL string
	// installed is how long install --apply took until the first commit
	// was applied.
	installed time.Duration
}

func newInClusterEnv(t *testing.T) *inClusterEnv {
	t.Helper()
	archive := imageArchive(t)
	c := localcluster.StartNodeForTest(t, localcluster.Options{Node: &localcluster.NodeOptions{Images: []string{archive}}})
	e := &inClusterEnv{c: c, kube: kubernetes.NewForConfigOrDie(c.RESTConfig())}
	e.repo = gittest.NewRepo(t)
	writeInClusterApp(e.repo, "1", true)
	e.repo.Commit("shop: first release")
	e.bare = e.repo.Bare()
	e.repoURL = serveGitInNode(t, c, e.bare)

	// The push webhook's secret, as a Git host's webhook settings hold it:
	// the test calls the agent through its Service after each push.
	if _, err := e.kube.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: inClusterNS}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.kube.CoreV1().Secrets(inClusterNS).Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "gitward-push", Namespace: inClusterNS},
		StringData: map[string]string{"secret": pushSecret}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	// The node's address is the API server's (Service kubernetes's
	// endpoint) and the Git server's: the agent's NetworkPolicy allows
	// exactly that.
	nodeCIDR := localcluster.NodeIP + "/32"
	runGitops(t, c.Kubeconfig, "", "install", "--apply", "--wait", "--image", inClusterImage,
		"--api-server-cidr", nodeCIDR, "--git-cidr", nodeCIDR, "--push-webhook-secret", "gitward-push",
		"--source", "shop="+e.repoURL+"@main:app").mustSucceed(t, "install --apply --wait")
	t.Cleanup(func() {
		if t.Failed() {
			for _, app := range []string{"gitward-agent", "gitward-webhook"} {
				t.Logf("%s logs:\n%s", app, podLogs(t, e.kube, inClusterNS, labels.SelectorFromSet(labels.Set{"app.kubernetes.io/name": app})))
			}
		}
	})
	e.waitSettings(t, "1", 2*time.Minute)
	e.installed = time.Since(start)
	t.Logf("install --apply to the first applied commit: %s", e.installed.Round(100*time.Millisecond))
	return e
}

// push commits the app with value (and legacy) and pushes it to the
// served repository.
func (e *inClusterEnv) push(t *testing.T, value string, legacy bool) {
	t.Helper()
	writeInClusterApp(e.repo, value, legacy)
	e.repo.Commit("shop: a=" + value)
	e.repo.Push(e.bare, "HEAD:main")
}

// waitSettings waits until ConfigMap shop/settings is managed and a=value,
// calling the agent's push webhook through its Service (from inside the
// node's namespace, as a Git host would) every two seconds: either replica
// may answer, only the leader syncs.
func (e *inClusterEnv) waitSettings(t *testing.T, value string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var lastPush time.Time
	for {
		if time.Since(lastPush) > 2*time.Second {
			e.pushWebhook(t)
			lastPush = time.Now()
		}
		cm, err := e.kube.CoreV1().ConfigMaps("shop").Get(t.Context(), "settings", metav1.GetOptions{})
		if err == nil && cm.Data["a"] == value && cm.Labels[provenance.LabelSource] == "shop" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("ConfigMap shop/settings never became a=%s (last: %v, %v)", value, cm.Data, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// pushWebhook POSTs to the agent's push webhook through Service
// gitward-agent; errors are ignored (the Service may have no ready
// endpoint yet).
func (e *inClusterEnv) pushWebhook(t *testing.T) {
	svc, err := e.kube.CoreV1().Services(inClusterNS).Get(t.Context(), "gitward-agent", metav1.GetOptions{})
	if err != nil {
		return
	}
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DialContext: e.c.DialInNode}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+net.JoinHostPort(svc.Spec.ClusterIP, "8090")+"/hooks/git", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+pushSecret)
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
	}
}

// TestInClusterInstallAppliesAndGuards: the story as a user runs it on a
// real node. `kubectl gitops install --apply` with the built image; the
// agent Pod clones from a Git server inside the node's namespace and
// applies; a push is applied (the webhook admits the agent); the webhook
// Pod, called by the API server through its Service, rejects `kubectl
// scale` of a managed Deployment by a non-admin user; a removed object is
// pruned; a break-glass edit is healed.
func TestInClusterInstallAppliesAndGuards(t *testing.T) {
	e := newInClusterEnv(t)
	ctx := t.Context()

	// Two webhook replicas serve behind the Service; the agent's two
	// replicas elect one leader.
	waitPods(t, e.kube, inClusterNS, "app.kubernetes.io/name=gitward-webhook", 2, 2*time.Minute)
	waitPods(t, e.kube, inClusterNS, "app.kubernetes.io/name=gitward-agent", 2, 2*time.Minute)

	// A non-admin user who may edit Deployments (a ClusterRoleBinding: a
	// RoleBinding in shop would need Git too).
	if _, err := e.kube.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "alice-edit"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "alice"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the webhook (through its Service) rejects kubectl scale by alice", func() bool {
		out, err := kubectl(t, e.c.Kubeconfig, "scale", "deployment/web", "-n", "shop", "--replicas=3", "--as=alice")
		return err != nil && strings.Contains(out, "denied the request")
	})
	if d, err := e.kube.AppsV1().Deployments("shop").Get(ctx, "web", metav1.GetOptions{}); err != nil || *d.Spec.Replicas != 1 {
		t.Fatalf("Deployment shop/web after the denied scale: %v, %v", d, err)
	}

	// A push is applied by the agent, through the webhook; the removed
	// ConfigMap is pruned.
	e.push(t, "2", false)
	e.waitSettings(t, "2", time.Minute)
	eventually(t, "ConfigMap shop/legacy pruned", func() bool {
		_, err := e.kube.CoreV1().ConfigMaps("shop").Get(ctx, "legacy", metav1.GetOptions{})
		return err != nil && strings.Contains(err.Error(), "not found")
	})

	// Self-heal: a break-glass edit is admitted (with a warning), then the
	// agent puts Git's value back.
	if out, err := kubectl(t, e.c.Kubeconfig, "patch", "configmap/settings", "-n", "shop", "--as=alice",
		"--as-group=gitward:break-glass", "--as-group=system:authenticated", "-p", `{"data":{"a":"hacked"}}`); err != nil {
		t.Fatalf("break-glass edit: %v: %s", err, out)
	}
	e.waitSettings(t, "2", time.Minute)

	// The agent reports status.
	st := runGitops(t, e.c.Kubeconfig, "", "status", "--agent-namespace", inClusterNS).mustSucceed(t, "status")
	if !strings.Contains(st.stdout, "shop") {
		t.Errorf("status does not name source shop:\n%s\n%s", st.stdout, st.stderr)
	}

	// Leader election: the Lease names one of the two agent Pods; when
	// that Pod goes, the other takes over and applies the next push.
	leader := e.agentLeader(t)
	if err := e.kube.CoreV1().Pods(inClusterNS).Delete(ctx, leader, metav1.DeleteOptions{GracePeriodSeconds: ptrInt64(0)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "another agent Pod holds the Lease", func() bool {
		l := e.agentLeaderOrEmpty(t)
		return l != "" && l != leader
	})
	e.push(t, "3", false)
	e.waitSettings(t, "3", time.Minute)

	// The webhook survives losing one replica: its PodDisruptionBudget lets
	// one Pod be evicted, not the second, and the one left still answers.
	hooks := waitPods(t, e.kube, inClusterNS, "app.kubernetes.io/name=gitward-webhook", 2, time.Minute)
	evict := func(name string) error {
		return e.kube.PolicyV1().Evictions(inClusterNS).Evict(ctx, &policyv1.Eviction{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: inClusterNS}})
	}
	if err := evict(hooks[0].Name); err != nil {
		t.Fatalf("evicting webhook Pod %s: %v", hooks[0].Name, err)
	}
	if err := evict(hooks[1].Name); !apierrors.IsTooManyRequests(err) {
		t.Errorf("evicting the second webhook Pod: %v; want refused by the PodDisruptionBudget", err)
	}
	out, err := kubectl(t, e.c.Kubeconfig, "scale", "deployment/web", "-n", "shop", "--replicas=3", "--as=alice")
	if err == nil || !strings.Contains(out, "denied the request") {
		t.Errorf("kubectl scale with one webhook replica: %v: %s; want denied by the webhook", err, out)
	}
	e.push(t, "4", false)
	e.waitSettings(t, "4", time.Minute)

	// Uninstall (delete what install prints): the cluster stays writable.
	nodeCIDR := localcluster.NodeIP + "/32"
	manifests := runGitops(t, e.c.Kubeconfig, "", "install", "--image", inClusterImage,
		"--api-server-cidr", nodeCIDR, "--git-cidr", nodeCIDR, "--push-webhook-secret", "gitward-push",
		"--source", "shop="+e.repoURL+"@main:app").mustSucceed(t, "install (print)")
	file := filepath.Join(t.TempDir(), "gitward.yaml")
	if err := os.WriteFile(file, []byte(manifests.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := kubectl(t, e.c.Kubeconfig, "delete", "-f", file, "--ignore-not-found", "--wait=true", "--timeout=2m"); err != nil {
		t.Fatalf("uninstall: %v: %s", err, out)
	}
	if out, err := kubectl(t, e.c.Kubeconfig, "scale", "deployment/web", "-n", "shop", "--replicas=2", "--as=alice"); err != nil {
		t.Errorf("after uninstall, kubectl scale by alice: %v: %s", err, out)
	}
	if _, err := e.kube.CoreV1().ConfigMaps("shop").Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "after-uninstall", Namespace: "shop"}}, metav1.CreateOptions{}); err != nil {
		t.Errorf("after uninstall, creating a ConfigMap in shop: %v", err)
	}
}

// agentLeader returns the agent Pod that holds the leader Lease.
func (e *inClusterEnv) agentLeader(t *testing.T) string {
	t.Helper()
	var leader string
	eventually(t, "an agent Pod holds Lease "+inClusterNS+"/gitward-agent", func() bool {
		leader = e.agentLeaderOrEmpty(t)
		return leader != ""
	})
	return leader
}

func (e *inClusterEnv) agentLeaderOrEmpty(t *testing.T) string {
	l, err := e.kube.CoordinationV1().Leases(inClusterNS).Get(t.Context(), "gitward-agent", metav1.GetOptions{})
	if err != nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	pod, _, _ := strings.Cut(*l.Spec.HolderIdentity, "_")
	return pod
}
