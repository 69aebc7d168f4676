package render_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gitward/gitward/pkg/render"
)

// tree is a fixture: files (slash path → content) and symlinks (slash
// path → target), written to disk or to an fstest.MapFS.
type tree struct {
	files map[string]string
	links map[string]string
}

const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n"

func cm(name string) string { return strings.Replace(configMap, "%s", name, 1) }

func kust(resources ...string) string {
	return "resources:\n- " + strings.Join(resources, "\n- ") + "\n"
}

// onDisk writes the tree under dir.
func (tr tree) onDisk(t *testing.T, dir string) {
	t.Helper()
	for p, data := range tr.files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for p, target := range tr.links {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.FromSlash(target), full); err != nil {
			t.Fatal(err)
		}
	}
}

// inMemory returns the tree as an fstest.MapFS with ModeSymlink entries.
func (tr tree) inMemory() fstest.MapFS {
	m := fstest.MapFS{}
	for p, data := range tr.files {
		m[p] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
	}
	for p, target := range tr.links {
		m[p] = &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
	}
	return m
}

// renderBoth renders path in the tree on disk (root = repo/) and in memory.
// On disk, a file "outside.yaml" and a folder "outside/" exist next to the
// root so that an escape would find something to read.
func renderBoth(t *testing.T, tr tree, path string) map[string]error {
	t.Helper()
	ctx := context.Background()
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	tree{files: map[string]string{
		"outside.yaml":               cm("outside"),
		"outside/kustomization.yaml": kust("cm.yaml"),
		"outside/cm.yaml":            cm("outside-dir"),
		"repo/.keep":                 "",
	}}.onDisk(t, base)
	tr.onDisk(t, root)
	_, errDisk := render.Dir(ctx, root, path, render.Options{})
	_, errMem := render.FS(ctx, tr.inMemory(), path, render.Options{})
	return map[string]error{"Dir": errDisk, "MapFS": errMem}
}

func TestRefusesEscapes(t *testing.T) {
	tests := []struct {
		name  string
		tree  tree
		path  string
		names string // the error must name this path
	}{
		{
			name: "symlinked file leaving the root",
			tree: tree{
				files: map[string]string{"app/kustomization.yaml": kust("evil.yaml")},
				links: map[string]string{"app/evil.yaml": "../../outside.yaml"},
			},
			path: "app", names: "app/evil.yaml",
		},
		{
			name: "symlinked folder leaving the root",
			tree: tree{
				files: map[string]string{"app/kustomization.yaml": kust("../shared")},
				links: map[string]string{"shared": "../outside"},
			},
			path: "app", names: "shared",
		},
		{
			name: "symlink chain leaving the root",
			tree: tree{
				files: map[string]string{"app/kustomization.yaml": kust("a.yaml")},
				links: map[string]string{"app/a.yaml": "b.yaml", "app/b.yaml": "../c.yaml", "c.yaml": "../outside.yaml"},
			},
			path: "app", names: "c.yaml",
		},
		{
			name: "symlinked kustomization file leaving the root",
			tree: tree{
				files: map[string]string{"app/kustomization.yml": kust("cm.yaml"), "app/cm.yaml": cm("x")},
				links: map[string]string{"app/kustomization.yaml": "../../outside/kustomization.yaml"},
			},
			path: "app", names: "app/kustomization.yaml",
		},
		{
			name: "../ resource leaving the root",
			tree: tree{files: map[string]string{"overlays/dev/kustomization.yaml": kust("../../../outside")}},
			path: "overlays/dev", names: "../../../outside",
		},
		{
			name: "../ file leaving the root",
			tree: tree{files: map[string]string{"app/kustomization.yaml": kust("../../outside.yaml")}},
			path: "app", names: "../../outside.yaml",
		},
		{
			name: "../ patch leaving the root",
			tree: tree{files: map[string]string{
				"app/kustomization.yaml": kust("cm.yaml") + "patches:\n- path: ../../outside.yaml\n",
				"app/cm.yaml":            cm("x"),
			}},
			path: "app", names: "../../outside.yaml",
		},
		{
			name: "../ component leaving the root",
			tree: tree{files: map[string]string{
				"app/kustomization.yaml": kust("cm.yaml") + "components:\n- ../../outside\n",
				"app/cm.yaml":            cm("x"),
			}},
			path: "app", names: "../../outside",
		},
		{
			name: "generator file leaving the root",
			tree: tree{files: map[string]string{
				"app/kustomization.yaml": "configMapGenerator:\n- name: x\n  files:\n  - k=../../outside.yaml\n",
			}},
			path: "app", names: "../../outside.yaml",
		},
		{
			name: "the rendered path itself",
			tree: tree{files: map[string]string{"app/kustomization.yaml": kust("cm.yaml")}},
			path: "../outside", names: "../outside",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for how, err := range renderBoth(t, tt.tree, tt.path) {
				if !errors.Is(err, render.ErrEscapesRoot) {
					t.Fatalf("%s: got %v, want ErrEscapesRoot", how, err)
				}
				if !strings.Contains(err.Error(), tt.names) {
					t.Errorf("%s: error %q does not name %q", how, err, tt.names)
				}
				t.Logf("%s: %v", how, err)
			}
		})
	}
}

func TestSymlinksInsideRootAreFollowed(t *testing.T) {
	tr := tree{
		files: map[string]string{
			"base/kustomization.yaml":         kust("cm.yaml", "linked.yaml"),
			"base/cm.yaml":                    cm("real"),
			"base/data/other.yaml":            cm("other"),
			"overlays/dev/kustomization.yaml": kust("../../base-link") + "namePrefix: dev-\n",
		},
		links: map[string]string{
			"base-link":        "base",
			"base/linked.yaml": "data/../data/other.yaml",
		},
	}
	ctx := context.Background()
	root := t.TempDir()
	tr.onDisk(t, root)
	results := map[string]func() (*render.Result, error){
		"Dir":   func() (*render.Result, error) { return render.Dir(ctx, root, "overlays/dev", render.Options{}) },
		"MapFS": func() (*render.Result, error) { return render.FS(ctx, tr.inMemory(), "overlays/dev", render.Options{}) },
	}
	for how, fn := range results {
		res, err := fn()
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		var names []string
		for _, o := range res.Objects {
			names = append(names, o.GetName())
		}
		if got := strings.Join(names, ","); got != "dev-other,dev-real" {
			t.Errorf("%s: got objects %s, want dev-other,dev-real (legacy order: kind, then name)", how, got)
		}
	}
}

func TestAbsoluteSymlinks(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	tree{files: map[string]string{"app/kustomization.yaml": kust("cm.yaml"), "data/cm.yaml": cm("abs")}}.onDisk(t, root)
	if err := os.Symlink(filepath.Join(root, "data", "cm.yaml"), filepath.Join(root, "app", "cm.yaml")); err != nil {
		t.Fatal(err)
	}
	// On disk an absolute link into the root stays inside it, but kustomize
	// itself (load restrictor RootOnly) refuses files outside the
	// kustomization folder, as kubectl does.
	if _, err := render.Dir(ctx, root, "app", render.Options{}); err == nil || errors.Is(err, render.ErrEscapesRoot) {
		t.Errorf("absolute link into the root: got %v, want kustomize's own RootOnly refusal", err)
	}
	// In a tree there is no disk path: an absolute target always leaves.
	mem := tree{
		files: map[string]string{"app/kustomization.yaml": kust("cm.yaml")},
		links: map[string]string{"app/cm.yaml": "/etc/passwd"},
	}.inMemory()
	if _, err := render.FS(ctx, mem, "app", render.Options{}); !errors.Is(err, render.ErrEscapesRoot) {
		t.Errorf("absolute link in a tree: got %v, want ErrEscapesRoot", err)
	}
}

func TestSymlinkLoop(t *testing.T) {
	tr := tree{
		files: map[string]string{"app/kustomization.yaml": kust("a.yaml")},
		links: map[string]string{"app/a.yaml": "b.yaml", "app/b.yaml": "a.yaml"},
	}
	for how, err := range renderBoth(t, tr, "app") {
		if err == nil || errors.Is(err, render.ErrEscapesRoot) {
			t.Errorf("%s: got %v, want a render error", how, err)
		}
	}
}

func TestKustomizeErrorsNameTreePaths(t *testing.T) {
	mem := tree{files: map[string]string{"app/kustomization.yaml": kust("missing.yaml")}}.inMemory()
	_, err := render.FS(context.Background(), mem, "app", render.Options{})
	if err == nil {
		t.Fatal("rendered a missing resource")
	}
	if strings.Contains(err.Error(), "gitward-tree") {
		t.Errorf("error leaks the internal tree prefix: %v", err)
	}
	if !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("error does not name missing.yaml: %v", err)
	}
}

func TestContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := render.FS(ctx, os.DirFS("testdata"), "base", render.Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
