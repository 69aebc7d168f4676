package install

import (
	"strings"
	"testing"

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
		want    string
		wantErr string
	}{
		{"all of gitward.yaml, origin filled in", r.Dir, nil, "prod=https://git.example.com/org/manifests.git@main:overlays/prod dev=https://other.example/m.git@dev:overlays/dev", ""},
		{"one by name", r.Dir, []string{"dev"}, "dev=https://other.example/m.git@dev:overlays/dev", ""},
		{"explicit needs no checkout", t.TempDir(), []string{"x=https://h/r.git@main:p"}, "x=https://h/r.git@main:p", ""},
		{"mixed", r.Dir, []string{"x=https://h/r.git@main:p", "prod"}, "x=https://h/r.git@main:p prod=https://git.example.com/org/manifests.git@main:overlays/prod", ""},
		{"unknown name", r.Dir, []string{"nope"}, "", `source "nope"`},
		{"no checkout", t.TempDir(), nil, "", "--source NAME=REPO@BRANCH:PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sources(tt.dir, tt.flags)
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
