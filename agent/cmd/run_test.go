package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func TestRunOptionsSources(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "gitward.yaml")
	if err := os.WriteFile(cfgFile, []byte(`apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
- {name: staging, path: overlays/staging}
- {name: production, path: overlays/production}
sources:
- {name: production, repo: https://git.example.com/org/m.git, branch: release, path: overlays/production}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		set     func(o *RunOptions)
		wantErr string
		check   func(t *testing.T, o *RunOptions)
	}{
		{name: "from gitward.yaml", set: func(o *RunOptions) { o.ConfigFile = cfgFile },
			check: func(t *testing.T, o *RunOptions) {
				if len(o.specs) != 1 || o.specs[0].Branch != "release" || o.specs[0].Path != "overlays/production" ||
					o.specs[0].Repo != "https://git.example.com/org/m.git" {
					t.Errorf("specs = %+v", o.specs)
				}
			}},
		{name: "flags only", set: func(o *RunOptions) { o.Sources = []string{"dev"}; o.Repo = "file:///r.git"; o.Path = "apps/dev" },
			check: func(t *testing.T, o *RunOptions) {
				if len(o.specs) != 1 || o.specs[0].Name != "dev" || o.specs[0].Branch != "main" {
					t.Errorf("specs = %+v", o.specs)
				}
			}},
		{name: "no source", set: func(o *RunOptions) {}, wantErr: "no source to track"},
		{name: "unknown source", set: func(o *RunOptions) { o.ConfigFile = cfgFile; o.Sources = []string{"nope"} }, wantErr: "nope"},
		{name: "no repo", set: func(o *RunOptions) { o.Sources = []string{"dev"} }, wantErr: "has no repository"},
		{name: "bad mode", set: func(o *RunOptions) { o.Sources = []string{"dev"}; o.Repo = "x"; o.Mode = "yolo" }, wantErr: "--mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewRunOptions(genericiooptions.NewTestIOStreamsDiscard())
			kubeconfig := filepath.Join(dir, "kubeconfig")
			_ = os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: https://127.0.0.1:1}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user: {token: t}\n"), 0o600)
			o.ConfigFlags.KubeConfig = &kubeconfig
			tt.set(o)
			err := o.Complete()
			if err == nil {
				err = o.Validate()
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, o)
		})
	}
}
