//go:build e2e

package e2e

import (
	"encoding/base64"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/tests/localcluster"
)

const (
	diffOldPassword = "old-Pa55word-never-printed"
	diffNewPassword = "new-Pa55word-never-printed"
)

const diffGitwardYAML = `apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
- name: shop
  path: app
sources:
- name: shop
  branch: main
  path: app
`

func diffObjects(cmValue, password string, legacy, added bool) string {
	docs := []string{
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: \"" + cmValue + "\"}\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\ntype: Opaque\nstringData: {password: " + password + ", user: admin}\n",
		`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        resources: {requests: {cpu: "0.1", memory: 64Mi}}
`,
	}
	if legacy {
		docs = append(docs, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: legacy, namespace: shop}\ndata: {x: \"1\"}\n")
	}
	if added {
		docs = append(docs, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: added, namespace: shop}\ndata: {y: \"1\"}\n")
	}
	return strings.Join(docs, "---\n")
}

// TestDiffEndToEnd applies a source with the apply engine, then checks what
// `kubectl gitops diff` reports: nothing, drift by another field manager,
// a new commit's creates, changes and prunes, Secret masking and exit codes.
func TestDiffEndToEnd(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	repo := gittest.NewRepo(t)
	repo.WriteFile("gitward.yaml", diffGitwardYAML).
		WriteFile("app/kustomization.yaml", "resources: [objects.yaml]\n").
		WriteFile("app/objects.yaml", diffObjects("1", diffOldPassword, true, false))
	first := repo.Commit("first")
	applyFolder(t, c, repo.Dir, "app", "shop", first)
	app := filepath.Join(repo.Dir, "app")
	dyn := dynamic.NewForConfigOrDie(c.RESTConfig())
	// A ConfigMap without the source label is never pruned.
	bystander := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "bystander", "namespace": "shop"}}}
	if _, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("shop").
		Create(t.Context(), bystander, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	t.Run("no difference exits 0", func(t *testing.T) {
		for _, args := range [][]string{{app}, {app, "--revision", "HEAD"}, {repo.Dir, "--source", "shop"}} {
			r := runDiff(t, c.Kubeconfig, "", args...)
			if r.code != 0 || r.stdout != "" {
				t.Errorf("diff %v: exit %d, stdout %q, stderr %q; want 0 and nothing", args, r.code, r.stdout, r.stderr)
			}
		}
	})

	t.Run("drift names the field manager", func(t *testing.T) {
		deploys := dyn.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace("shop")
		live, err := deploys.Get(t.Context(), "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := unstructured.SetNestedField(live.Object, int64(3), "spec", "replicas"); err != nil {
			t.Fatal(err)
		}
		if _, err := deploys.Update(t.Context(), live, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
			t.Fatal(err)
		}
		r := runDiff(t, c.Kubeconfig, "", app, "-o", "json")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1; stderr %s", r.code, r.stderr)
		}
		rep := r.report(t)
		if len(rep.Objects) != 1 || rep.Objects[0].Key.Name != "web" || rep.Objects[0].Action != diff.Change {
			t.Fatalf("want only Deployment web changed, got %+v", rep.Objects)
		}
		var owners []string
		for _, m := range rep.Objects[0].Managers {
			if slices.Contains(m.Fields, ".spec.replicas") {
				owners = append(owners, m.Name)
			}
		}
		if !slices.Equal(owners, []string{"kubectl-edit"}) {
			t.Errorf(".spec.replicas owned by %v, want [kubectl-edit]; managers %+v", owners, rep.Objects[0].Managers)
		}
		text := runDiff(t, c.Kubeconfig, "", app)
		if !strings.Contains(text.stdout, "fields owned by kubectl-edit (Update): .spec.replicas") ||
			!strings.Contains(text.stdout, "-  replicas: 3\n+  replicas: 1\n") {
			t.Errorf("text output lacks the manager or the replicas change:\n%s", text.stdout)
		}
	})

	repo.WriteFile("app/objects.yaml", diffObjects("2", diffNewPassword, false, true))
	repo.Commit("second")

	t.Run("create change prune and masking", func(t *testing.T) {
		r := runDiff(t, c.Kubeconfig, "", app, "--revision", "HEAD", "-o", "json")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1; stderr %s", r.code, r.stderr)
		}
		want := map[string]diff.Action{"ConfigMap/added": diff.Create, "ConfigMap/settings": diff.Change,
			"Secret/db": diff.Change, "Deployment/web": diff.Change, "ConfigMap/legacy": diff.Delete}
		got := r.actions(t)
		if len(got) != len(want) {
			t.Errorf("got %v, want %v", got, want)
		}
		for k, a := range want {
			if got[k] != a {
				t.Errorf("%s: got %q, want %q (all: %v)", k, got[k], a, got)
			}
		}
		var secretDiff string
		for _, d := range r.report(t).Objects {
			if d.Key.Kind == "Secret" {
				secretDiff = d.Diff
			}
		}
		minus, plus := maskOf(secretDiff, "-  password: "), maskOf(secretDiff, "+  password: ")
		if minus == "" || plus == "" || minus == plus || !strings.HasPrefix(minus, "'"+diff.MaskPrefix) {
			t.Errorf("the changed password must show two different masks:\n%s", secretDiff)
		}
		if strings.Contains(secretDiff, "user:") && strings.Contains(secretDiff, "-  user:") {
			t.Errorf("an unchanged Secret value must mask equally on both sides:\n%s", secretDiff)
		}
		for _, args := range [][]string{{"--revision", "HEAD"}, {"--revision", "HEAD", "--summary"}, {"--revision", "HEAD", "-o", "yaml"}, {"--revision", "HEAD", "--color", "always"}} {
			out := runDiff(t, c.Kubeconfig, "", append([]string{app}, args...)...)
			assertNoPlaintext(t, out.stdout+out.stderr)
		}
		assertNoPlaintext(t, r.stdout+r.stderr)
	})

	t.Run("older revision shows only the drift", func(t *testing.T) {
		r := runDiff(t, c.Kubeconfig, "", app, "--revision", first, "-o", "json")
		got := r.actions(t)
		if r.code != 1 || len(got) != 1 || got["Deployment/web"] != diff.Change {
			t.Errorf("exit %d, differences %v; want 1 and only Deployment/web", r.code, got)
		}
	})

	t.Run("errors exit 2", func(t *testing.T) {
		for _, args := range [][]string{{repo.Dir, "--source", "nope"}, {app, "--revision", "no-such-branch"}, {app, "-o", "wide"}} {
			r := runDiff(t, c.Kubeconfig, "", args...)
			if r.code != 2 {
				t.Errorf("diff %v: exit %d, want 2; stderr %s", args, r.code, r.stderr)
			}
		}
	})
}

// maskOf returns the rest of the line of diff that starts with prefix.
func maskOf(diffText, prefix string) string {
	for _, l := range strings.Split(diffText, "\n") {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimPrefix(l, prefix)
		}
	}
	return ""
}

func assertNoPlaintext(t *testing.T, out string) {
	t.Helper()
	for _, p := range []string{diffOldPassword, diffNewPassword} {
		for _, form := range []string{p, base64.StdEncoding.EncodeToString([]byte(p))} {
			if strings.Contains(out, form) {
				t.Fatalf("output holds Secret plaintext %q", form)
			}
		}
	}
}
