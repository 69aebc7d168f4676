package expand_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/chartfetch"
	"github.com/gitward/gitward/pkg/chartfetch/charttest"
	"github.com/gitward/gitward/pkg/expand"
	"github.com/gitward/gitward/pkg/render"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const upstream = "../../testdata/upstream/"

// tree copies a vendored repository into a temporary folder and applies
// the replacements (real URLs to loopback ones) to every file.
func tree(t *testing.T, repo string, replace map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(upstream+repo)); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(b)
		for from, to := range replace {
			s = strings.ReplaceAll(s, from, to)
		}
		return os.WriteFile(p, []byte(s), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// tinyChart writes a one-template chart and packages it.
func tinyChart(t *testing.T, name, version, kind string) charttest.Archive {
	dir := t.TempDir()
	files := map[string]string{
		"Chart.yaml":         "apiVersion: v2\nname: " + name + "\nversion: " + version + "\n",
		"values.yaml":        "replicas: 1\n",
		"templates/obj.yaml": "apiVersion: v1\nkind: " + kind + "\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  replicas: {{ .Values.replicas | quote }}\n",
	}
	for n, c := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, n)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return charttest.Package(t, dir, name, version)
}

func names(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, u := range objs {
		s := u.GetKind() + " " + u.GetName()
		if u.GetNamespace() != "" {
			s = u.GetKind() + " " + u.GetNamespace() + "/" + u.GetName()
		}
		out = append(out, s)
	}
	return out
}

func find(objs []*unstructured.Unstructured, kind, ns, name string) *unstructured.Unstructured {
	for _, u := range objs {
		if u.GetKind() == kind && u.GetNamespace() == ns && u.GetName() == name {
			return u
		}
	}
	return nil
}

func podinfoRepo(t *testing.T) *charttest.HTTPRepo {
	chart := upstream + "podinfo-chart/podinfo"
	return charttest.NewHTTPRepo(t, "", "",
		charttest.Package(t, chart, "podinfo", "6.14.1"),
		charttest.Package(t, chart, "podinfo", "6.15.0-rc.1"))
}

// fluxcd/flux2-kustomize-helm-example: apps/<env> is a HelmRelease of the
// podinfo chart from a HelmRepository, with per-environment values and
// version ranges (staging takes pre-releases).
func TestFluxHelmReleaseFromHelmRepository(t *testing.T) {
	repo := podinfoRepo(t)
	root := tree(t, "flux2-kustomize-helm-example", map[string]string{"https://stefanprodan.github.io/podinfo": repo.URL})
	x := &expand.Expander{Charts: &chartfetch.Fetcher{CacheDir: t.TempDir()}}
	for env, want := range map[string]struct{ version, host string }{
		"staging":    {"6.15.0-rc.1", "podinfo.staging"},
		"production": {"6.14.1", "podinfo.production"},
	} {
		t.Run(env, func(t *testing.T) {
			res, err := x.Dir(t.Context(), root, "apps/"+env, render.Options{Origins: true})
			if err != nil {
				t.Fatal(err)
			}
			got := names(res.Objects)
			for _, w := range []string{"Namespace podinfo", "HelmRepository podinfo/podinfo", "Deployment podinfo/podinfo", "Service podinfo/podinfo", "Deployment podinfo/podinfo-redis", "HTTPRoute podinfo/podinfo"} {
				if !slices.Contains(got, w) {
					t.Errorf("no %s in %v", w, got)
				}
			}
			if slices.Contains(got, "HelmRelease podinfo/podinfo") {
				t.Errorf("the HelmRelease is still there: %v", got)
			}
			d := find(res.Objects, "Deployment", "podinfo", "podinfo")
			if v := d.GetLabels()["helm.sh/chart"]; v != "podinfo-"+want.version {
				t.Errorf("chart label %q, want podinfo-%s", v, want.version)
			}
			route := find(res.Objects, "HTTPRoute", "podinfo", "podinfo")
			hosts, _, _ := unstructured.NestedStringSlice(route.Object, "spec", "hostnames")
			if !slices.Equal(hosts, []string{want.host}) {
				t.Errorf("hostnames %v, want the environment's values (%s)", hosts, want.host)
			}
			if !slices.Equal(res.Expanded, []string{"HelmRelease podinfo/podinfo"}) {
				t.Errorf("expanded %v", res.Expanded)
			}
			for i, o := range res.Objects {
				if o.GetKind() == "Deployment" && !strings.HasPrefix(res.Origins[i].Path, "http://") {
					t.Errorf("origin of %s is %q, want the chart", o.GetName(), res.Origins[i].Path)
				}
			}
		})
	}
}

// The same release from an OCI registry (HelmRepository type: oci).
func TestFluxHelmReleaseFromOCI(t *testing.T) {
	reg := charttest.NewRegistry(t, "", "")
	reg.Push(t, "stefanprodan/charts", charttest.Package(t, upstream+"podinfo-chart/podinfo", "podinfo", "6.14.1"))
	root := tree(t, "flux2-kustomize-helm-example", map[string]string{
		"  url: https://stefanprodan.github.io/podinfo": "  type: oci\n  url: oci://" + reg.Host + "/stefanprodan/charts",
	})
	x := &expand.Expander{Charts: &chartfetch.Fetcher{CacheDir: t.TempDir()}}
	res, err := x.Dir(t.Context(), root, "apps/production", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if find(res.Objects, "Deployment", "podinfo", "podinfo") == nil {
		t.Fatalf("no podinfo Deployment in %v", names(res.Objects))
	}
}

// clusters/<env> has no kustomization.yaml at its root; its Flux
// Kustomizations read ExternalArtifacts an ArtifactGenerator assembles
// from this repository, and depend on each other.
func TestFluxClustersFolder(t *testing.T) {
	repo := podinfoRepo(t)
	reg := charttest.NewRegistry(t, "", "")
	reg.Push(t, "jetstack/charts", tinyChart(t, "cert-manager", "1.18.2", "ConfigMap"))
	reg.Push(t, "envoyproxy", tinyChart(t, "gateway-helm", "1.8.0", "ConfigMap"))
	root := tree(t, "flux2-kustomize-helm-example", map[string]string{
		"https://stefanprodan.github.io/podinfo": repo.URL,
		"oci://quay.io/jetstack/charts":          "oci://" + reg.Host + "/jetstack/charts",
		"oci://docker.io/envoyproxy":             "oci://" + reg.Host + "/envoyproxy",
	})
	x := &expand.Expander{Charts: &chartfetch.Fetcher{CacheDir: t.TempDir()}}
	res, err := x.Dir(t.Context(), root, "clusters/staging", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := names(res.Objects)
	idx := func(s string) int {
		i := slices.Index(got, s)
		if i < 0 {
			t.Fatalf("no %s in %v", s, got)
		}
		return i
	}
	controllers := idx("ConfigMap cert-manager/cert-manager")
	configs := idx("ClusterIssuer letsencrypt")
	apps := idx("Deployment podinfo/podinfo")
	if !(controllers < configs && configs < apps) {
		t.Errorf("order does not follow dependsOn (controllers %d, configs %d, apps %d): %v", controllers, configs, apps, got)
	}
	issuer := res.Objects[configs]
	if server, _, _ := unstructured.NestedString(issuer.Object, "spec", "acme", "server"); !strings.Contains(server, "acme-staging") {
		t.Errorf("spec.patches not applied: server %s", server)
	}
	if !slices.Contains(res.Expanded, "Kustomization flux-system/apps") {
		t.Errorf("expanded %v", res.Expanded)
	}
}

// fluxcd/flux2-multi-tenancy: tenants come from another branch and kyverno
// from an OCI artifact; both are kept for Flux, each with a note.
func TestFluxMultiTenancyKeepsOtherSources(t *testing.T) {
	root := tree(t, "flux2-multi-tenancy", nil)
	x := &expand.Expander{RepoURLs: []string{"https://github.com/fluxcd/flux2-multi-tenancy.git"}, Branch: "main"}
	res, err := x.Dir(t.Context(), root, "clusters/production", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := names(res.Objects)
	for _, w := range []string{"Namespace apps", "RoleBinding apps/gotk-reconciler", "ClusterPolicy verify-flux-images", "Kustomization apps/dev-team", "Kustomization flux-system/kyverno-controller"} {
		if !slices.Contains(got, w) {
			t.Errorf("no %s in %v", w, got)
		}
	}
	var notes []string
	for _, n := range res.Notes {
		notes = append(notes, n.String())
	}
	joined := strings.Join(notes, "\n")
	for _, w := range []string{"Kustomization apps/dev-team: source GitRepository apps/dev-team is branch dev-team", "Kustomization flux-system/kyverno-controller: source OCIRepository"} {
		if !strings.Contains(joined, w) {
			t.Errorf("notes %q lack %q", joined, w)
		}
	}
}

// argoproj/argocd-example-apps: Applications of this repository, a Helm
// source with valueFiles and parameters, a kustomize source and a plain
// folder, objects put in destination.namespace.
func TestArgoApplications(t *testing.T) {
	root := tree(t, "argocd-example-apps", nil)
	apps := `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: helm-guestbook, namespace: argocd}
spec:
  destination: {namespace: guestbook-prod, server: https://kubernetes.default.svc}
  source:
    repoURL: https://github.com/argoproj/argocd-example-apps
    targetRevision: HEAD
    path: helm-guestbook
    helm:
      valueFiles: [values-production.yaml]
      parameters: [{name: replicaCount, value: "3"}]
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: kustomize-guestbook, namespace: argocd}
spec:
  destination: {namespace: kg}
  source: {repoURL: https://github.com/argoproj/argocd-example-apps.git, path: kustomize-guestbook}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: guestbook, namespace: argocd}
spec:
  destination: {namespace: gb}
  source: {repoURL: https://github.com/argoproj/argocd-example-apps, path: guestbook}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: elsewhere, namespace: argocd}
spec:
  destination: {namespace: x}
  source: {repoURL: https://github.com/example/other, path: app}
`
	if err := os.MkdirAll(filepath.Join(root, "argocd"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "argocd", "apps.yaml"), []byte(apps), 0o644); err != nil {
		t.Fatal(err)
	}
	x := &expand.Expander{RepoURLs: []string{"git@github.com:argoproj/argocd-example-apps.git"}}
	res, err := x.Dir(t.Context(), root, "argocd", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := names(res.Objects)
	for _, w := range []string{"Deployment guestbook-prod/helm-guestbook", "Service guestbook-prod/helm-guestbook", "Deployment kg/kustomize-guestbook-ui", "Deployment gb/guestbook-ui", "Application argocd/elsewhere"} {
		if !slices.Contains(got, w) {
			t.Errorf("no %s in %v", w, got)
		}
	}
	d := find(res.Objects, "Deployment", "guestbook-prod", "helm-guestbook")
	if r, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas"); r != 3 {
		t.Errorf("replicas %d, want 3 (parameters over valueFiles)", r)
	}
	if res.Destinations["helm-guestbook"] != "guestbook-prod" {
		t.Errorf("destinations %v", res.Destinations)
	}
	// The chart folder itself renders as `helm template` does.
	res, err = x.Dir(t.Context(), root, "helm-guestbook", render.Options{})
	if err != nil || find(res.Objects, "Deployment", "", "helm-guestbook") == nil {
		t.Fatalf("chart folder: %v %v", err, res)
	}
}

func TestSkipLeavesObjects(t *testing.T) {
	root := tree(t, "flux2-kustomize-helm-example", nil)
	res, err := (&expand.Expander{Skip: true}).Dir(t.Context(), root, "apps/staging", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if find(res.Objects, "HelmRelease", "podinfo", "podinfo") == nil {
		t.Fatalf("skip expanded: %v", names(res.Objects))
	}
}

func TestRemoteChartWithoutCache(t *testing.T) {
	root := tree(t, "flux2-kustomize-helm-example", nil)
	_, err := (&expand.Expander{}).Dir(t.Context(), root, "apps/staging", render.Options{})
	if err == nil || !strings.Contains(err.Error(), "HelmRelease podinfo/podinfo") || !strings.Contains(err.Error(), "chart cache") {
		t.Fatalf("err = %v", err)
	}
}

// A chart environment of gitward.yaml renders as pkg/render renders it
// (its release and namespace), not as a bare chart folder.
func TestChartEnvironmentGoesThroughRender(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "chart"), os.DirFS(upstream+"argocd-example-apps/helm-guestbook")); err != nil {
		t.Fatal(err)
	}
	cfg := "apiVersion: gitward.dev/v1alpha1\nkind: Config\nenvironments:\n  - name: prod\n    chart: {path: chart, release: shop, namespace: shop-prod}\n"
	if err := os.WriteFile(filepath.Join(root, "gitward.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := (&expand.Expander{}).Dir(t.Context(), root, "chart", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Objects {
		if u.GetKind() == "Deployment" && u.GetNamespace() != "shop-prod" {
			t.Errorf("Deployment %s in %q, want the chart environment's namespace shop-prod", u.GetName(), u.GetNamespace())
		}
	}
	if len(res.Objects) == 0 {
		t.Fatal("no objects")
	}
}
