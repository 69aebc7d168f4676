package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func TestServeCompleteValidate(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gitward.yaml")
	if err := os.WriteFile(cfg, []byte(`apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
  - {name: staging, path: overlays/staging}
  - {name: production, path: overlays/production}
sources:
  - {name: production, repo: https://git.example.com/m.git, branch: main, path: overlays/production}
  - {name: staging, branch: main, path: overlays/staging}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		set     func(o *ServeOptions)
		views   int
		wantErr string
	}{
		{name: "config, all sources", set: func(o *ServeOptions) { o.ConfigFile, o.Repo = cfg, "https://git.example.com/m.git" }, views: 2},
		{name: "config, one source", set: func(o *ServeOptions) { o.ConfigFile, o.SourceNames = cfg, []string{"production"} }, views: 1},
		{name: "config, unknown source", set: func(o *ServeOptions) { o.ConfigFile, o.SourceNames = cfg, []string{"nope"} }, wantErr: `source "nope"`},
		{name: "config, a source without a repo", set: func(o *ServeOptions) { o.ConfigFile = cfg }, wantErr: "source staging: the repository URL is empty"},
		{name: "flags", set: func(o *ServeOptions) {
			o.SourceNames, o.Repo, o.Path = []string{"production"}, "file:///repo", "overlays/production"
		}, views: 1},
		{name: "no source", set: func(*ServeOptions) {}, wantErr: "no source"},
		{name: "bad mode", set: func(o *ServeOptions) {
			o.SourceNames, o.Repo, o.Path, o.Mode = []string{"p"}, "file:///r", "p", "audit"
		}, wantErr: `mode "audit"`},
		{name: "bad ignore rule", set: func(o *ServeOptions) {
			o.SourceNames, o.Repo, o.Path, o.IgnoreRules = []string{"p"}, "file:///r", "p", []string{"Deployment"}
		}, wantErr: "--ignore"},
		{name: "bad managed namespace", set: func(o *ServeOptions) {
			o.SourceNames, o.Repo, o.Path, o.ManagedNamespaces = []string{"p"}, "file:///r", "p", []string{"shop"}
		}, wantErr: "--managed-namespace"},
		{name: "ssh key without known hosts", set: func(o *ServeOptions) {
			o.SourceNames, o.Repo, o.Path, o.SSHKeyFile = []string{"p"}, "file:///r", "p", "/key"
		}, wantErr: "--known-hosts-file"},
		{name: "client name without a client CA", set: func(o *ServeOptions) {
			o.SourceNames, o.Repo, o.Path, o.ClientNames = []string{"p"}, "file:///r", "p", []string{"kube-apiserver"}
		}, wantErr: "--client-name needs --client-ca-file"},
		{name: "client CA and names", set: func(o *ServeOptions) {
			o.SourceNames, o.Repo, o.Path = []string{"p"}, "file:///r", "p"
			o.ClientCAFile, o.ClientNames = "/etc/gitward/client-ca.crt", []string{"kube-apiserver"}
		}, views: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewServeOptions(genericiooptions.NewTestIOStreamsDiscard())
			tt.set(o)
			err := o.Complete()
			if err == nil {
				err = o.Validate()
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			case tt.wantErr == "" && len(o.views) != tt.views:
				t.Errorf("%d views, want %d", len(o.views), tt.views)
			}
		})
	}
}
