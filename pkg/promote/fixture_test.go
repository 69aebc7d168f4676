package promote

import (
	"fmt"
	"github.com/gitward/gitward/pkg/chartfetch/charttest"
	"github.com/gitward/gitward/pkg/expand"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/worktree"
)

// gitEnv is the git environment of these tests: no global config, and the
// repository's own user.name/user.email as identity.
func gitEnv() []string {
	var out []string
	for _, kv := range gittest.Env() {
		if !strings.HasPrefix(kv, "GIT_AUTHOR_") && !strings.HasPrefix(kv, "GIT_COMMITTER_") {
			out = append(out, kv)
		}
	}
	return out
}

func runner() worktree.Runner { return worktree.ExecRunner{Env: gitEnv()} }

// newRepo returns a repository with an identity configured.
func newRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.NewRepo(t)
	r.Git("config", "user.name", "Grace Hopper")
	r.Git("config", "user.email", "grace@example.invalid")
	return r
}

// overlaysRepo is gittest's Layout (base plus overlays/dev|staging|production,
// each with its namespace and image tag), committed.
func overlaysRepo(t *testing.T, tags map[string]string) *gittest.Repo {
	t.Helper()
	r := newRepo(t)
	r.WriteFiles(gittest.Layout{Tags: tags}.Files()).Commit("initial layout")
	return r
}

// fluxRepo is apps/base plus apps/staging and apps/production with a
// HelmRelease patched per environment (Flux style).
func fluxRepo(t *testing.T, stagingVersion, prodVersion string) *gittest.Repo {
	// The chart is served on loopback: promotion renders the HelmRelease's
	// chart for its preview.
	chart := "../../testdata/upstream/podinfo-chart/podinfo"
	charts := charttest.NewHTTPRepo(t, "", "",
		charttest.Package(t, chart, "podinfo", stagingVersion),
		charttest.Package(t, chart, "podinfo", prodVersion))
	t.Setenv(expand.CacheEnv, t.TempDir())
	t.Helper()
	r := newRepo(t)
	r.WriteFile("gitward.yaml", `apiVersion: gitward.dev/v1alpha1
kind: Config
promotion:
  images: false
  yamlPaths:
  - file: podinfo-values.yaml
    path: spec.chart.spec.version
  - file: podinfo-values.yaml
    path: spec.values.image.tag
`)
	r.WriteFile("apps/base/podinfo/kustomization.yaml", "resources:\n- repository.yaml\n- release.yaml\n").
		WriteFile("apps/base/podinfo/repository.yaml", `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 5m
  url: `+charts.URL+`
`).
		WriteFile("apps/base/podinfo/release.yaml", `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: podinfo
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      version: "6.0.0"
      sourceRef:
        kind: HelmRepository
        name: podinfo
        namespace: flux-system
  values:
    replicaCount: 1
`)
	for env, v := range map[string]string{"staging": stagingVersion, "production": prodVersion} {
		r.WriteFile("apps/"+env+"/kustomization.yaml", "resources:\n- ../base/podinfo\npatches:\n- path: podinfo-values.yaml\n").
			WriteFile("apps/"+env+"/podinfo-values.yaml", fmt.Sprintf(`apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: podinfo
spec:
  chart:
    spec:
      version: "%s"
  values:
    image:
      tag: %s   # follows the chart
`, v, v))
	}
	r.Commit("flux layout")
	return r
}
