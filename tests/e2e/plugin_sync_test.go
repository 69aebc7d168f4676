//go:build e2e

package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/plugins/kubectl-gitops/cmd"
	"github.com/gitward/gitward/tests/localcluster"
)

// pluginRun is one run of `kubectl gitops`.
type pluginRun struct {
	code           int
	stdout, stderr string
}

// runGitops runs `kubectl gitops args...` in process against kubeconfig,
// from dir (unless empty).
func runGitops(t *testing.T, kubeconfig, dir string, args ...string) pluginRun {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	root := cmd.NewCmdGitops(streams)
	root.SetArgs(append(args, "--kubeconfig", kubeconfig, "--cache-dir", filepath.Join(t.TempDir(), "cache")))
	code := cli.Execute(root, streams)
	return pluginRun{code: code, stdout: out.String(), stderr: errOut.String()}
}

// mustSucceed fails t unless the run exited 0.
func (r pluginRun) mustSucceed(t *testing.T, what string) pluginRun {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", what, r.code, r.stdout, r.stderr)
	}
	return r
}

const pluginGitwardYAML = `apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
- {name: shop, path: app}
sources:
- {name: shop, branch: main, path: app}
`

// pluginRepo is a checkout whose source "shop" renders app/: a Namespace,
// a Deployment and two ConfigMaps (legacy only with legacy set).
func pluginRepo(t *testing.T, legacy bool) *gittest.Repo {
	t.Helper()
	r := gittest.NewRepo(t)
	writePluginApp(r, legacy)
	r.Commit("shop: first release")
	return r
}

func writePluginApp(r *gittest.Repo, legacy bool) {
	resources := "[namespace.yaml, deployment.yaml, settings.yaml"
	if legacy {
		resources += ", legacy.yaml"
	} else {
		r.Remove("app/legacy.yaml")
	}
	r.WriteFile("gitward.yaml", pluginGitwardYAML).
		WriteFile("app/kustomization.yaml", "resources: "+resources+"]\n").
		WriteFile("app/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n").
		WriteFile("app/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: \"1\"}\n").
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
      - {name: web, image: "nginx:1.25"}
`)
	if legacy {
		r.WriteFile("app/legacy.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: legacy, namespace: shop}\ndata: {x: \"1\"}\n")
	}
}

// pluginAgentNamespace prepares the agent's namespace and CRD (the
// inventory of --prune).
func pluginAgentNamespace(t *testing.T, c *localcluster.Cluster) kubernetes.Interface {
	t.Helper()
	kube := kubernetes.NewForConfigOrDie(c.RESTConfig())
	if err := inventory.InstallCRD(t.Context(), dynamicFor(t, c)); err != nil {
		t.Fatal(err)
	}
	if _, err := kube.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "gitward-system"}},
		metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	return kube
}

// dynamicFor is a dynamic client of c.
func dynamicFor(t *testing.T, c *localcluster.Cluster) dynamic.Interface {
	t.Helper()
	d, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPluginSync(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	kube := pluginAgentNamespace(t, c)
	r := pluginRepo(t, true)
	first := r.Head()

	// --dry-run shows the objects to create and creates nothing.
	dry := runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop", "--dry-run", "--summary").mustSucceed(t, "sync --dry-run")
	for _, want := range []string{"Deployment", "settings", "legacy"} {
		if !strings.Contains(dry.stdout, want) {
			t.Errorf("dry run does not list %s:\n%s", want, dry.stdout)
		}
	}
	if _, err := kube.CoreV1().Namespaces().Get(t.Context(), "shop", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("dry run created namespace shop (err %v)", err)
	}

	// sync --prune applies at HEAD and records the inventory.
	out := runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop", "--prune").mustSucceed(t, "sync")
	if !strings.Contains(out.stdout, "4 applied") {
		t.Errorf("sync output:\n%s", out.stdout)
	}
	cm, err := kube.CoreV1().ConfigMaps("shop").Get(t.Context(), "settings", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cm.Labels[provenance.LabelSource] != "shop" || cm.Annotations[provenance.AnnotationCommit] != first {
		t.Errorf("contract on settings: labels %v annotations %v, want source shop commit %s", cm.Labels, cm.Annotations, first)
	}

	// A second sync writes nothing.
	again := runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop").mustSucceed(t, "second sync")
	if !strings.Contains(again.stdout, "0 applied, 4 unchanged") {
		t.Errorf("second sync:\n%s", again.stdout)
	}

	// A dirty tree that reaches the rendering is refused.
	r.WriteFile("app/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: \"2\"}\n")
	dirty := runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop")
	if dirty.code == 0 || !strings.Contains(dirty.stderr, "--allow-dirty") || !strings.Contains(dirty.stderr, "app/settings.yaml") {
		t.Errorf("dirty sync: exit %d, stderr:\n%s", dirty.code, dirty.stderr)
	}

	// Dropping legacy from Git and syncing with --prune deletes it.
	writePluginApp(r, false)
	r.WriteFile("app/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: \"2\"}\n")
	second := r.Commit("shop: drop legacy, settings a=2")
	pruned := runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "shop", "--prune").mustSucceed(t, "sync --prune")
	if !strings.Contains(pruned.stdout, "pruned    ConfigMap shop/legacy") {
		t.Errorf("prune output:\n%s", pruned.stdout)
	}
	if _, err := kube.CoreV1().ConfigMaps("shop").Get(t.Context(), "legacy", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("legacy still there (err %v)", err)
	}
	cm, err = kube.CoreV1().ConfigMaps("shop").Get(t.Context(), "settings", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cm.Data["a"] != "2" || cm.Annotations[provenance.AnnotationCommit] != second {
		t.Errorf("settings after the second sync: data %v commit %s, want a=2 at %s", cm.Data, cm.Annotations[provenance.AnnotationCommit], second)
	}
}
