package render_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/gitward/gitward/pkg/render"
)

var update = flag.Bool("update", false, "regenerate testdata/*.golden.yaml with the real `kubectl kustomize`")

// goldenCases are folders under testdata rendered with testdata as the
// root; each has testdata/<case>.golden.yaml made by `kubectl kustomize`.
var goldenCases = []string{
	"base",
	"overlays/dev",
	"overlays/staging",
	"overlays/production",
	"images",
	"affixes",
	"patches",
	"generators",
	"labels",
	"namespace",
	"fidelity",
	"buildmeta",
	"openapi",
}

// renderers run the same render four ways: on disk (with and without
// origin tracking), over os.DirFS and over an in-memory copy (as a Git
// tree would be).
func renderers(t *testing.T) map[string]func(string) (*render.Result, error) {
	t.Helper()
	ctx := context.Background()
	mem := memCopy(t, "testdata")
	return map[string]func(string) (*render.Result, error){
		"Dir": func(c string) (*render.Result, error) { return render.Dir(ctx, "testdata", c, render.Options{}) },
		"DirFS": func(c string) (*render.Result, error) {
			return render.FS(ctx, os.DirFS("testdata"), c, render.Options{})
		},
		"MapFS": func(c string) (*render.Result, error) { return render.FS(ctx, mem, c, render.Options{}) },
	}
}

func TestGolden(t *testing.T) {
	if *update {
		kubectl := kubectlPath(t)
		if kubectl == "" {
			t.Fatal("-update needs the real kubectl: run `make tools` (or set GITWARD_TOOLS_BIN)")
		}
		for _, c := range goldenCases {
			out, err := kubectlKustomize(kubectl, filepath.Join("testdata", c))
			if err != nil {
				t.Fatalf("kubectl kustomize %s: %v", c, err)
			}
			if err := os.WriteFile(goldenPath(c), out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, renderFn := range renderers(t) {
		for _, c := range goldenCases {
			t.Run(name+"/"+c, func(t *testing.T) {
				want, err := os.ReadFile(goldenPath(c))
				if err != nil {
					t.Fatalf("golden file missing (regenerate with -update): %v", err)
				}
				res, err := renderFn(c)
				if err != nil {
					t.Fatalf("render %s: %v", c, err)
				}
				got, err := res.YAML()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("render %s differs from %s:\n--- got\n%s\n--- want\n%s", c, goldenPath(c), got, want)
				}
				if len(res.Objects) != bytes.Count(want, []byte("\n---\n"))+1 {
					t.Errorf("got %d objects for %d documents", len(res.Objects), bytes.Count(want, []byte("\n---\n"))+1)
				}
			})
		}
	}
}

// TestParityWithKubectl compares live with the real `kubectl kustomize`.
func TestParityWithKubectl(t *testing.T) {
	kubectl := kubectlPath(t)
	if kubectl == "" {
		t.Skip("real kubectl not found in .cache/bin (run `make tools` or set GITWARD_TOOLS_BIN); golden files still cover parity")
	}
	for _, c := range goldenCases {
		t.Run(c, func(t *testing.T) {
			want, err := kubectlKustomize(kubectl, filepath.Join("testdata", c))
			if err != nil {
				t.Fatalf("kubectl kustomize: %v", err)
			}
			res, err := render.Dir(context.Background(), "testdata", c, render.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := res.YAML()
			if !bytes.Equal(got, want) {
				t.Errorf("differs from kubectl kustomize:\n--- got\n%s\n--- kubectl\n%s", got, want)
			}
		})
	}
	t.Run("plain folder errors in both", func(t *testing.T) {
		if _, err := kubectlKustomize(kubectl, filepath.Join("testdata", "plain")); err == nil {
			t.Error("kubectl kustomize rendered a folder with no kustomization.yaml; expected an error")
		}
		if _, err := render.Dir(context.Background(), "testdata", "plain", render.Options{}); !errors.Is(err, render.ErrNoKustomization) {
			t.Errorf("render: got %v, want ErrNoKustomization", err)
		}
	})
}

func TestPlainFolderRefused(t *testing.T) {
	for name, renderFn := range renderers(t) {
		t.Run(name, func(t *testing.T) {
			_, err := renderFn("plain")
			if !errors.Is(err, render.ErrNoKustomization) {
				t.Fatalf("got %v, want ErrNoKustomization", err)
			}
			t.Logf("error: %v", err)
		})
	}
}

func goldenPath(c string) string { return filepath.Join("testdata", c+".golden.yaml") }

func kubectlKustomize(kubectl, dir string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(kubectl, "kustomize", dir)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "KUSTOMIZE_ENABLE_MANAGEDBY_LABEL=")
	if err := cmd.Run(); err != nil {
		return nil, errors.Join(err, errors.New(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// kubectlPath finds the real kubectl built by `make tools`.
func kubectlPath(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GITWARD_TOOLS_BIN")
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			return ""
		}
		dir = filepath.Join(root, ".cache", "bin")
	}
	p := filepath.Join(dir, "kubectl")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// memCopy loads a folder into an fstest.MapFS.
func memCopy(t *testing.T, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(os.DirFS(dir), p)
		m[p] = &fstest.MapFile{Data: data, Mode: 0o644}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
