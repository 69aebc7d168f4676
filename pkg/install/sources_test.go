package install

import (
	"errors"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

func TestSources(t *testing.T) {
	r := gittest.NewRepo(t)
	r.WriteFile("gitward.yaml", `apiVersion: gitward.dev/v1alpha1
kind: Config
sources:
- {name: prod, branch: main, path: overlays/prod}
- {name: dev, repo: https://other.example/m.git, branch: dev, path: overlays/dev}
`)
	r.Commit("config")
	r.Git("remote", "add", "origin", "https://git.example.com/org/manifests.git")
	tests := []struct {
		name    string
		dir     string
		flags   []string
		all     bool
		want    string
		wantErr string
	}{
		{"several in gitward.yaml: one environment per cluster", r.Dir, nil, false, "", "names 2 sources (prod, dev)"},
		{"all of gitward.yaml, origin filled in", r.Dir, nil, true, "prod=https://git.example.com/org/manifests.git@main:overlays/prod dev=https://other.example/m.git@dev:overlays/dev", ""},
		{"one by name", r.Dir, []string{"dev"}, false, "dev=https://other.example/m.git@dev:overlays/dev", ""},
		{"explicit needs no checkout", t.TempDir(), []string{"x=https://h/r.git@main:p"}, false, "x=https://h/r.git@main:p", ""},
		{"mixed", r.Dir, []string{"x=https://h/r.git@main:p", "prod"}, false, "x=https://h/r.git@main:p prod=https://git.example.com/org/manifests.git@main:overlays/prod", ""},
		{"unknown name", r.Dir, []string{"nope"}, false, "", `source "nope"`},
		{"no checkout", t.TempDir(), nil, false, "", "--source NAME=REPO@BRANCH:PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sources(tt.dir, tt.flags, tt.all)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Sources() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, src := range got {
				s = append(s, src.Name+"="+src.Repo+"@"+src.Branch+":"+src.Path)
			}
			if strings.Join(s, " ") != tt.want {
				t.Errorf("got %v, want %s", s, tt.want)
			}
		})
	}
}

func TestCheckOverlap(t *testing.T) {
	r := gittest.NewRepo(t)
	kust := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cm.yaml]\n"
	cm := func(name string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", namespace: shop}\n"
	}
	r.WriteFile("a/kustomization.yaml", kust)
	r.WriteFile("a/cm.yaml", cm("shared"))
	r.WriteFile("b/kustomization.yaml", kust)
	r.WriteFile("b/cm.yaml", cm("shared"))
	r.WriteFile("c/kustomization.yaml", kust)
	r.WriteFile("c/cm.yaml", cm("own"))
	r.Commit("three sources")
	src := func(name, path string) config.Source {
		return config.Source{Name: name, Repo: "https://h/r.git", Branch: "main", Path: path}
	}
	_, err := CheckOverlap(t.Context(), r.Dir, []config.Source{src("one", "a"), src("two", "b")})
	if !errors.Is(err, ErrOverlap) || !strings.Contains(err.Error(), "ConfigMap shop/shared is declared by source one (a) and by source two (b)") {
		t.Errorf("overlapping sources: %v", err)
	}
	notes, err := CheckOverlap(t.Context(), r.Dir, []config.Source{src("one", "a"), src("three", "c"), src("far", "elsewhere")})
	if err != nil {
		t.Errorf("disjoint sources: %v", err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "source far not checked") {
		t.Errorf("notes %q, want one for the source outside the checkout", notes)
	}
}
