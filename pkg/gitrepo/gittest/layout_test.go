package gittest_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

func TestLayout(t *testing.T) {
	files := gittest.Layout{Tags: map[string]string{"dev": "1.2.0", "production": ""}}.Files()
	names := slices.Sorted(maps.Keys(files))
	want := []string{"base/deployment.yaml", "base/kustomization.yaml", "overlays/dev/kustomization.yaml", "overlays/production/kustomization.yaml"}
	if !slices.Equal(names, want) {
		t.Fatalf("files = %q, want %q", names, want)
	}
	if d := files["base/deployment.yaml"]; !strings.HasSuffix(d, "        image: ghcr.io/acme/api:0.0.0\n") {
		t.Errorf("base/deployment.yaml does not end with the default image line:\n%s", d)
	}
	if got, want := files["overlays/dev/kustomization.yaml"], "# dev\nnamespace: dev\nresources:\n- ../../base\n\nimages:\n- name: ghcr.io/acme/api\n  newTag: \"1.2.0\"   # promoted\n"; got != want {
		t.Errorf("dev overlay:\n%s\nwant:\n%s", got, want)
	}
	if got := files["overlays/production/kustomization.yaml"]; strings.Contains(got, "images:") {
		t.Errorf("an empty tag still sets images:\n%s", got)
	}
	if got := (gittest.Layout{BaseTag: "1.0.0"}).Files()["base/deployment.yaml"]; !strings.Contains(got, "ghcr.io/acme/api:1.0.0\n") {
		t.Errorf("BaseTag not used:\n%s", got)
	}
}

func TestWriteFiles(t *testing.T) {
	r := gittest.NewRepo(t)
	r.WriteFiles(gittest.Layout{Tags: map[string]string{"staging": "1"}}.Files()).Commit("layout")
	got := r.Git("ls-files")
	want := "base/deployment.yaml\nbase/kustomization.yaml\noverlays/staging/kustomization.yaml"
	if got != want {
		t.Errorf("committed files:\n%s\nwant:\n%s", got, want)
	}
	if got := r.Git("show", "HEAD:overlays/staging/kustomization.yaml") + "\n"; got != gittest.LayoutOverlay("staging", "1") {
		t.Errorf("overlays/staging/kustomization.yaml:\n%s", got)
	}
}
