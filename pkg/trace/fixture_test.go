package trace

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
)

const fixtureConfig = `apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
- name: shop
  path: app
sources:
- name: shop
  branch: main
  path: app
`

const fixtureDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.25"}]}
`

// fixture is a repository with one source, "shop", rendering app/ (a
// Deployment from app/deployment.yaml and a generated ConfigMap) into
// namespace shop, committed once.
type fixture struct {
	repo   *gittest.Repo
	commit string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	r := gittest.NewRepo(t)
	r.WriteFile("gitward.yaml", fixtureConfig).
		WriteFile("app/kustomization.yaml", "namespace: shop\nresources: [deployment.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [a=1]\n").
		WriteFile("app/deployment.yaml", fixtureDeployment)
	return &fixture{repo: r, commit: r.Commit("shop: web at two replicas\n\nA body that trace does not print.")}
}

// live returns the rendered objects as the agent would have applied them:
// stamped for source shop at the fixture's commit.
func (f *fixture) live(t *testing.T) map[string]*unstructured.Unstructured {
	t.Helper()
	res, err := render.Dir(t.Context(), f.repo.Dir, "app", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*unstructured.Unstructured{}
	for _, u := range res.Objects {
		if err := provenance.Stamp(u, "shop", provenance.CommitID(f.commit)); err != nil {
			t.Fatal(err)
		}
		out[u.GetKind()] = u
	}
	return out
}

func (f *fixture) open(t *testing.T) *gitrepo.Repo {
	t.Helper()
	r, err := gitrepo.Open(f.repo.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// testMapper knows Deployments, ConfigMaps and Namespaces.
func testMapper() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	return m
}

// stubLive returns a LiveFunc reporting res and recording what it was asked.
func stubLive(res *diff.Result, got *[]*unstructured.Unstructured) LiveFunc {
	return func(_ context.Context, desired []*unstructured.Unstructured, _ diff.LiveOptions) (*diff.Result, error) {
		*got = desired
		return res, nil
	}
}
