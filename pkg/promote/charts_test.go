package promote_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/chartfetch"
	"github.com/gitward/gitward/pkg/chartfetch/charttest"
	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/expand"
	"github.com/gitward/gitward/pkg/promote"
)

// fluxcd/flux2-kustomize-helm-example without a gitward.yaml: staging and
// production are clusters/<env>; their "apps" Kustomizations deploy
// apps/staging and apps/production, whose HelmRelease patches set the
// chart version and values. Promotion moves the version, says the values
// stay and why, and once the versions match lists what still differs.
func TestPromoteFluxHelmRelease(t *testing.T) {
	chart := "../../testdata/upstream/podinfo-chart/podinfo"
	repo := charttest.NewHTTPRepo(t, "", "",
		charttest.Package(t, chart, "podinfo", "6.14.1"),
		charttest.Package(t, chart, "podinfo", "6.15.0-rc.1"))
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("../../testdata/upstream/flux2-kustomize-helm-example")); err != nil {
		t.Fatal(err)
	}
	// Only the apps: infrastructure's charts live on public registries.
	for _, env := range []string{"staging", "production"} {
		if err := os.Remove(filepath.Join(root, "clusters", env, "infrastructure.yaml")); err != nil {
			t.Fatal(err)
		}
		apps := filepath.Join(root, "clusters", env, "apps.yaml")
		b, _ := os.ReadFile(apps)
		if err := os.WriteFile(apps, []byte(strings.Replace(string(b), "  dependsOn:\n    - name: infra-configs\n", "", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	repoFile := filepath.Join(root, "apps/base/podinfo/repository.yaml")
	b, _ := os.ReadFile(repoFile)
	if err := os.WriteFile(repoFile, []byte(strings.ReplaceAll(string(b), "https://stefanprodan.github.io/podinfo", repo.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	tree := os.DirFS(root)
	cfg, err := config.LoadFS(tree)
	if err != nil {
		t.Fatal(err)
	}
	render := promote.ExpandRender(&expand.Expander{Charts: &chartfetch.Fetcher{CacheDir: t.TempDir()}})
	plan, err := promote.NewPlan(promote.PlanOptions{Config: cfg, From: "staging", To: "production", Source: tree, Target: tree, Render: render, Context: t.Context()})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Moves) != 1 || plan.Moves[0].Kind != promote.MoveChart || plan.Moves[0].After != ">=1.0.0-alpha" ||
		plan.Moves[0].File != "apps/production/podinfo-values.yaml" {
		t.Fatalf("moves %v", plan.Moves)
	}
	if !strings.Contains(strings.Join(plan.Notes, "\n"), "spec.values differ") {
		t.Errorf("notes %v do not say the values stay", plan.Notes)
	}
	changed := string(plan.Changes["apps/production/podinfo-values.yaml"])
	if !strings.Contains(changed, `version: ">=1.0.0-alpha"`) || !strings.Contains(changed, "podinfo.production") {
		t.Fatalf("production's file after the promotion:\n%s", changed)
	}

	// With the version promoted, nothing moves; the message lists what the
	// renderings still differ in.
	if err := os.WriteFile(filepath.Join(root, "apps/production/podinfo-values.yaml"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = promote.NewPlan(promote.PlanOptions{Config: cfg, From: "staging", To: "production", Source: tree, Target: tree, Render: render, Context: t.Context()})
	if !errors.Is(err, promote.ErrNothingToPromote) {
		t.Fatalf("err = %v, want nothing to promote", err)
	}
	for _, want := range []string{"compared images, chart versions", "HTTPRoute podinfo/podinfo spec.hostnames", "podinfo.staging", "promotion.yamlPaths"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%v", want, err)
		}
	}
}
