package config_test

import (
	"os"
	"testing"

	"github.com/gitward/gitward/pkg/config"
)

// The layouts of public Flux and Argo CD repositories, vendored under
// testdata/upstream, load without a gitward.yaml.
func TestUpstreamLayouts(t *testing.T) {
	for _, tc := range []struct {
		repo   string
		layout string
		want   map[string]string
	}{
		{"flux2-kustomize-helm-example", config.LayoutFlux, map[string]string{"staging": "clusters/staging", "production": "clusters/production"}},
		{"flux2-multi-tenancy", config.LayoutFlux, map[string]string{"staging": "clusters/staging", "production": "clusters/production"}},
		{"argocd-example-apps", config.LayoutArgoCD, map[string]string{"apps": "apps", "guestbook": "guestbook", "helm-guestbook": "helm-guestbook", "kustomize-guestbook": "kustomize-guestbook"}},
	} {
		t.Run(tc.repo, func(t *testing.T) {
			cfg, err := config.LoadFS(os.DirFS("../../testdata/upstream/" + tc.repo))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Layout != tc.layout {
				t.Errorf("layout %q, want %q", cfg.Layout, tc.layout)
			}
			got := map[string]string{}
			for _, e := range cfg.Environments {
				got[e.Name] = e.Path
			}
			if len(got) != len(tc.want) {
				t.Errorf("environments %v, want %v", got, tc.want)
			}
			for name, p := range tc.want {
				if got[name] != p {
					t.Errorf("environment %s: path %q, want %q (all: %v)", name, got[name], p, got)
				}
			}
			if tc.layout == config.LayoutFlux && cfg.Environments[0].Name != "staging" {
				t.Errorf("promotion order %v, want staging first", cfg.Environments)
			}
		})
	}
}
