package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// envs builds environments from name/path pairs.
func envs(pairs ...string) []Environment {
	var out []Environment
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Environment{Name: pairs[i], Path: pairs[i+1]})
	}
	return out
}

// sourcesFor derives the default sources of environments on branch.
func sourcesFor(branch string, es []Environment) []Source {
	out := []Source{}
	for _, e := range es {
		out = append(out, Source{Name: e.Name, Branch: branch, Path: e.Path})
	}
	return out
}

func TestLoadLayouts(t *testing.T) {
	overlays := envs("dev", "overlays/dev", "staging", "overlays/staging", "canary", "overlays/canary",
		"uat", "overlays/uat", "production", "overlays/production", "prod-eu", "overlays/prod-eu")
	apps := envs("staging", "apps/staging", "production", "apps/production")
	clusters := envs("dev", "clusters/dev", "qa", "clusters/qa")
	full := envs("staging", "overlays/staging", "production", "overlays/production")
	partial := envs("dev", "clusters/dev", "production", "clusters/production")
	tests := []struct {
		dir  string
		want *Config
	}{
		{"layouts/overlays", &Config{APIVersion: APIVersion, Kind: Kind, Layout: "overlays",
			Environments: overlays, Sources: sourcesFor("main", overlays), Promotion: Promotion{Images: true}}},
		{"layouts/apps", &Config{APIVersion: APIVersion, Kind: Kind, Layout: "apps",
			Environments: apps, Sources: sourcesFor("main", apps), Promotion: Promotion{Images: true},
			Policies: []string{"policies/"}}},
		{"layouts/clusters", &Config{APIVersion: APIVersion, Kind: Kind, Layout: "clusters",
			Environments: clusters, Sources: sourcesFor("main", clusters), Promotion: Promotion{Images: true}}},
		{"repos/full", &Config{APIVersion: APIVersion, Kind: Kind, File: "gitward.yaml",
			Environments: full, Sources: sourcesFor("main", full), Promotion: Promotion{Images: true}}},
		{"repos/partial", &Config{APIVersion: APIVersion, Kind: Kind, File: "gitward.yaml", Layout: "clusters",
			Environments: partial, Sources: sourcesFor("main", partial),
			Promotion: Promotion{Images: true, Files: []string{"values.yaml"}}, Policies: []string{"policies/"}}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			root := filepath.Join("testdata", tt.dir)
			got, err := LoadFS(os.DirFS(root))
			if err != nil {
				t.Fatalf("LoadFS: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("LoadFS =\n%+v\nwant\n%+v", got, tt.want)
			}
			// Load reads the same through an os.Root; testdata is not a
			// checkout root, so the default branch is main.
			got, err = Load(root)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if tt.want.File != "" {
				tt.want.File = filepath.Join(root, FileName)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Load =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		dir  string
		err  error
		want string
	}{
		{"layouts/none", ErrNoEnvironments, "no gitward.yaml at the repository root and no conventional layout"},
		{"layouts/badname", ErrInvalidName, `folder overlays/Prod_EU/ has a kustomization but "Prod_EU" is not a DNS label`},
		{"layouts/gitward-yml", ErrNoEnvironments, "found gitward.yml; rename it to gitward.yaml"},
		{"repos/empty-file", ErrNoEnvironments, "gitward.yaml: defines no environments and no sources"},
		{"does-not-exist", os.ErrNotExist, "does-not-exist"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			c, err := Load(filepath.Join("testdata", tt.dir))
			if !errors.Is(err, tt.err) {
				t.Fatalf("Load = %+v, %v; want an error wrapping %v", c, err, tt.err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadFSGitTree(t *testing.T) {
	// An fs.FS like a Git tree at a commit, with a file error to report.
	tree := fstest.MapFS{
		"gitward.yaml": {Data: []byte("apiVersion: gitward.dev/v1alpha1\nkind: Config\nenvironments:\n  - {name: prod, path: /prod}\n")},
	}
	_, err := LoadFS(tree)
	if !errors.Is(err, ErrInvalidPath) || !strings.HasPrefix(err.Error(), "gitward.yaml:4:24: environments[0].path:") {
		t.Fatalf("LoadFS error = %v", err)
	}

	tree["gitward.yaml"] = &fstest.MapFile{Data: []byte("apiVersion: gitward.dev/v1alpha1\nkind: Config\nsources: [{name: prod, path: deploy}]\n")}
	tree["overlays/qa/kustomization.yaml"] = &fstest.MapFile{Data: []byte("resources: []\n")}
	c, err := LoadFSWith(tree, Options{DefaultBranch: "trunk"})
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{APIVersion: APIVersion, Kind: Kind, File: FileName, Layout: "overlays",
		Environments: envs("qa", "overlays/qa"),
		Sources:      []Source{{Name: "prod", Branch: "trunk", Path: "deploy"}},
		Promotion:    Promotion{Images: true}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("LoadFSWith =\n%+v\nwant\n%+v", c, want)
	}

	tree["gitward.yaml"] = &fstest.MapFile{Data: make([]byte, maxFileSize+1)}
	if _, err := LoadFS(tree); err == nil || !strings.Contains(err.Error(), "the limit is") {
		t.Fatalf("LoadFS of a huge file: %v", err)
	}
}

func TestLoadCheckout(t *testing.T) {
	write := func(t *testing.T, path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kustomization := "resources: []\n"
	tests := []struct {
		name   string
		setup  func(t *testing.T, root string)
		branch string
	}{
		{"checked-out branch", func(t *testing.T, root string) {
			write(t, filepath.Join(root, ".git/HEAD"), "ref: refs/heads/feature/x\n")
		}, "feature/x"},
		{"detached HEAD", func(t *testing.T, root string) {
			write(t, filepath.Join(root, ".git/HEAD"), "0123456789abcdef0123456789abcdef01234567\n")
		}, "main"},
		{"worktree", func(t *testing.T, root string) {
			write(t, filepath.Join(root, "../gitdir/HEAD"), "ref: refs/heads/release\n")
			write(t, filepath.Join(root, ".git"), "gitdir: ../gitdir\n")
		}, "release"},
		{"no .git", func(t *testing.T, root string) {}, "main"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "repo")
			write(t, filepath.Join(root, "overlays/dev/kustomization.yaml"), kustomization)
			tt.setup(t, root)
			c, err := Load(root)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Sources[0].Branch; got != tt.branch {
				t.Fatalf("default branch = %q, want %q", got, tt.branch)
			}
			c, err = LoadWith(root, Options{DefaultBranch: "pinned"})
			if err != nil || c.Sources[0].Branch != "pinned" {
				t.Fatalf("LoadWith(DefaultBranch) = %+v, %v", c, err)
			}
		})
	}
}

func TestLoadRefusesSymlink(t *testing.T) {
	root := t.TempDir()
	target := filepath.Join(t.TempDir(), "elsewhere.yaml")
	if err := os.WriteFile(target, []byte("apiVersion: gitward.dev/v1alpha1\nkind: Config\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(root, FileName)); err != nil {
		t.Skipf("symlinks: %v", err)
	}
	_, err := Load(root)
	if err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Fatalf("Load with a symlinked gitward.yaml: %v", err)
	}
}
