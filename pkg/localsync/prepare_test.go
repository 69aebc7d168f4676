package localsync

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

const testConfig = `apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
- {name: shop, path: app}
sources:
- {name: shop, branch: main, path: app}
`

// newRepo is a checkout whose source shop renders app/: two ConfigMaps.
func newRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.NewRepo(t)
	r.WriteFile("gitward.yaml", testConfig).
		WriteFile("README.md", "shop\n").
		WriteFile("app/kustomization.yaml", "namespace: shop\nresources: [a.yaml, b.yaml]\n").
		WriteFile("app/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: \"1\"}\n").
		WriteFile("app/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: \"1\"}\n").
		WriteFile("other/kustomization.yaml", "resources: [c.yaml]\n").
		WriteFile("other/c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	r.Commit("shop: two settings")
	return r
}

func TestPrepare(t *testing.T) {
	tests := []struct {
		name       string
		change     func(r *gittest.Repo)
		o          Options
		wantSource string
		wantPath   string
		wantDirty  bool
		wantWarn   string
		wantErr    error
		wantMsg    string
	}{
		{name: "source by name", o: Options{Source: "shop"}, wantSource: "shop", wantPath: "app"},
		{name: "source by folder", o: Options{Folder: "app"}, wantSource: "shop", wantPath: "app"},
		{name: "folder stamped as a named source", o: Options{Folder: "other", Source: "extra"}, wantSource: "extra", wantPath: "other"},
		{name: "folder of no source", o: Options{Folder: "other"}, wantErr: ErrNoSource, wantMsg: "--source"},
		{name: "unknown source", o: Options{Source: "nope"}, wantMsg: `source "nope"`},
		{name: "unrelated dirty file", o: Options{Source: "shop"}, wantSource: "shop", wantPath: "app",
			change: func(r *gittest.Repo) {
				r.WriteFile("README.md", "changed\n").WriteFile("app/notes.txt", "untracked, not rendered\n")
			}},
		{name: "dirty rendered file", o: Options{Source: "shop"}, wantErr: ErrDirty, wantMsg: "app/a.yaml",
			change: func(r *gittest.Repo) {
				r.WriteFile("app/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: \"2\"}\n")
			}},
		{name: "untracked file rendered", o: Options{Source: "shop"}, wantErr: ErrDirty, wantMsg: "--allow-dirty",
			change: func(r *gittest.Repo) {
				r.WriteFile("app/c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n").
					WriteFile("app/kustomization.yaml", "namespace: shop\nresources: [a.yaml, b.yaml, c.yaml]\n")
			}},
		{name: "dirty allowed", o: Options{Source: "shop", AllowDirty: true}, wantSource: "shop", wantPath: "app", wantDirty: true, wantWarn: "--allow-dirty",
			change: func(r *gittest.Repo) {
				r.WriteFile("app/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: \"2\"}\n")
			}},
		{name: "HEAD off the branch", o: Options{Source: "shop"}, wantSource: "shop", wantPath: "app", wantWarn: "not on branch main",
			change: func(r *gittest.Repo) {
				r.Git("checkout", "--quiet", "-b", "feature")
				r.WriteFile("README.md", "feature\n").Commit("feature work")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRepo(t)
			if tt.change != nil {
				tt.change(r)
			}
			t.Chdir(r.Dir)
			p, err := Prepare(t.Context(), tt.o)
			if tt.wantErr != nil || tt.wantMsg != "" {
				if err == nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Fatalf("Prepare() error = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Source != tt.wantSource || p.Path != tt.wantPath || p.Dirty != tt.wantDirty || string(p.Commit) != r.Head() {
				t.Errorf("plan source %q path %q dirty %v commit %s, want %q %q %v %s", p.Source, p.Path, p.Dirty, p.Commit, tt.wantSource, tt.wantPath, tt.wantDirty, r.Head())
			}
			warnings := strings.Join(p.Warnings, "\n")
			if tt.wantWarn == "" && warnings != "" || !strings.Contains(warnings, tt.wantWarn) {
				t.Errorf("warnings %q, want %q", warnings, tt.wantWarn)
			}
			if len(p.Objects) == 0 || p.Objects[0].File == "" {
				t.Errorf("objects %v: want files named", p.Objects)
			}
		})
	}
}

func TestPrepareFromSubfolder(t *testing.T) {
	r := newRepo(t)
	t.Chdir(filepath.Join(r.Dir, "app"))
	p, err := Prepare(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != "shop" || p.Path != "app" || len(p.Objects) != 2 {
		t.Errorf("plan %s %s with %d objects, want shop app 2", p.Source, p.Path, len(p.Objects))
	}
}

func TestPrepareNotCheckout(t *testing.T) {
	_, err := Prepare(t.Context(), Options{Dir: t.TempDir()})
	if !errors.Is(err, ErrNotCheckout) {
		t.Fatalf("got %v, want ErrNotCheckout", err)
	}
}
