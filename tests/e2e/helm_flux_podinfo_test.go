//go:build e2e

package e2e

import (
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/pkg/chartfetch/charttest"
	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/expand"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/promote"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

// helmFluxRepo is fluxcd/flux2-kustomize-helm-example's apps/ (vendored)
// in a Git checkout, its HelmRepository pointing at a loopback chart
// repository serving the vendored podinfo chart as 6.14.1 and
// 6.15.0-rc.1, with staging and production as sources.
func helmFluxRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	chart := "../../testdata/upstream/podinfo-chart/podinfo"
	charts := charttest.NewHTTPRepo(t, "", "",
		charttest.Package(t, chart, "podinfo", "6.14.1"),
		charttest.Package(t, chart, "podinfo", "6.15.0-rc.1"))
	t.Setenv(expand.CacheEnv, t.TempDir())
	r := gittest.NewRepo(t)
	up := os.DirFS("../../testdata/upstream/flux2-kustomize-helm-example")
	err := fs.WalkDir(up, "apps", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(up, p)
		if err != nil {
			return err
		}
		r.WriteFile(p, strings.ReplaceAll(string(b), "https://stefanprodan.github.io/podinfo", charts.URL))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r.WriteFile("LICENSE", mustRead(t, "../../testdata/upstream/flux2-kustomize-helm-example/LICENSE"))
	r.WriteFile("gitward.yaml", `apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
- {name: staging, path: apps/staging}
- {name: production, path: apps/production}
sources:
- {name: staging, branch: main, path: apps/staging}
- {name: production, branch: main, path: apps/production}
`)
	r.Commit("flux2-kustomize-helm-example apps")
	return r
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestHelmFluxPodinfo: the podinfo HelmRelease expands to the chart's
// objects; diff shows the chart's Deployment, sync applies it stamped,
// and promote moves the chart version staging → production with the
// rendered diff of the chart's objects in its preview.
func TestHelmFluxPodinfo(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	pluginAgentNamespace(t, c)
	admin := newClients(t, c.RESTConfig(), nil)
	openCRD(t, admin, "gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes")
	openCRD(t, admin, "source.toolkit.fluxcd.io", "v1", "HelmRepository", "helmrepositories")
	r := helmFluxRepo(t)
	head := r.Head()

	d := runDiff(t, c.Kubeconfig, r.Dir, "--source", "staging", "-o", "json")
	if d.code != 1 {
		t.Fatalf("diff: exit %d, want 1 (differs)\n%s\n%s", d.code, d.stdout, d.stderr)
	}
	acts := d.actions(t)
	if acts["Deployment/podinfo"] != diff.Create || acts["Service/podinfo"] != diff.Create {
		t.Errorf("diff does not create the chart's objects: %v", acts)
	}
	if _, ok := acts["HelmRelease/podinfo"]; ok {
		t.Errorf("diff shows the HelmRelease instead of its objects: %v", acts)
	}

	runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "staging").mustSucceed(t, "sync")
	dep, err := kubernetes.NewForConfigOrDie(c.RESTConfig()).AppsV1().Deployments("podinfo").Get(t.Context(), "podinfo", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if dep.Labels[provenance.LabelSource] != "staging" || dep.Annotations[provenance.AnnotationCommit] != head {
		t.Errorf("contract on the chart's Deployment: labels %v annotations %v", dep.Labels, dep.Annotations)
	}
	if dep.Labels["helm.sh/chart"] != "podinfo-6.15.0-rc.1" {
		t.Errorf("staging runs %s, want podinfo-6.15.0-rc.1 (>=1.0.0-alpha)", dep.Labels["helm.sh/chart"])
	}

	p, err := promote.Prepare(t.Context(), promote.Options{Dir: r.Dir, From: "staging", To: "production"})
	if err != nil {
		t.Fatalf("promote: %v", err)
	}
	if len(p.Plan.Moves) != 1 || p.Plan.Moves[0].Kind != promote.MoveChart || path.Base(p.Plan.Moves[0].File) != "podinfo-values.yaml" {
		t.Fatalf("moves %v", p.Plan.Moves)
	}
	// Both test packages hold the same chart folder (same appVersion), so
	// the move shows in the chart's labels, not in the image.
	var image bool
	for _, o := range p.Preview.Diff.Objects {
		if o.Key.Kind == "Deployment" && o.Key.Name == "podinfo" && strings.Contains(o.Diff, "+    helm.sh/chart: podinfo-6.15.0-rc.1") {
			image = true
		}
	}
	if !image {
		t.Errorf("the preview does not show production's Deployment moving to 6.15.0-rc.1: %+v", p.Preview.Diff.Objects)
	}
}
