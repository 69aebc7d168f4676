package render_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gitward/gitward/pkg/render"
)

// helmCases are kustomizations with helmCharts; their golden files are
// `kustomize build --enable-helm` with the real kustomize v5.8.1 and helm
// v3.21.4 (tests/tools/helm), regenerated with -update.
var helmCases = []string{"helm-guestbook", "helm-inline", "helm-features"}

func TestHelmChartsGolden(t *testing.T) {
	if *update {
		kustomize, helm := helmTools(t)
		if kustomize == "" {
			t.Fatal("-update needs the real kustomize and helm: run `make tools` (or set GITWARD_TOOLS_BIN)")
		}
		for _, c := range helmCases {
			out, err := kustomizeEnableHelm(kustomize, helm, filepath.Join("testdata", c))
			if err != nil {
				t.Fatalf("kustomize build --enable-helm %s: %v", c, err)
			}
			if err := os.WriteFile(goldenPath(c), out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, renderFn := range renderers(t) {
		for _, c := range helmCases {
			t.Run(name+"/"+c, func(t *testing.T) {
				want, err := os.ReadFile(goldenPath(c))
				if err != nil {
					t.Fatalf("golden file missing (regenerate with -update): %v", err)
				}
				res, err := renderFn(c)
				if err != nil {
					t.Fatalf("render %s: %v", c, err)
				}
				got, _ := res.YAML()
				if !bytes.Equal(got, want) {
					t.Errorf("render %s differs from %s:\n--- got\n%s\n--- want\n%s", c, goldenPath(c), got, want)
				}
			})
		}
	}
}

// TestHelmChartsParity byte-compares with the real kustomize and helm.
func TestHelmChartsParity(t *testing.T) {
	kustomize, helm := helmTools(t)
	if kustomize == "" {
		t.Skip("real kustomize and helm not found (run `make tools` or set GITWARD_TOOLS_BIN); golden files still cover parity")
	}
	for _, c := range helmCases {
		t.Run(c, func(t *testing.T) {
			want, err := kustomizeEnableHelm(kustomize, helm, filepath.Join("testdata", c))
			if err != nil {
				t.Fatal(err)
			}
			res, err := render.Dir(context.Background(), "testdata", c, render.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := res.YAML()
			if !bytes.Equal(got, want) {
				t.Errorf("differs from kustomize build --enable-helm:\n--- got\n%s\n--- kustomize\n%s", got, want)
			}
		})
	}
}

func TestHelmChartsOrigins(t *testing.T) {
	res, err := render.Dir(context.Background(), "testdata", "helm-guestbook", render.Options{Origins: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Objects) != 2 || len(res.Origins) != 2 {
		t.Fatalf("got %d objects, %d origins; want 2 and 2", len(res.Objects), len(res.Origins))
	}
	for i, o := range res.Origins {
		t.Logf("%s/%s from %+v", res.Objects[i].GetKind(), res.Objects[i].GetName(), o)
		if o.Path == "" {
			t.Errorf("%s: no origin path", res.Objects[i].GetName())
		}
	}
}

func TestHelmChartsRefusals(t *testing.T) {
	ctx := context.Background()
	mem := memCopy(t, "testdata/helm-guestbook")
	mem["remote/kustomization.yaml"] = mapFile("helmCharts:\n- name: podinfo\n  repo: https://stefanprodan.github.io/podinfo\n  version: 6.7.0\n")
	mem["missing/kustomization.yaml"] = mapFile("helmCharts:\n- name: nothere\n")
	mem["escape/kustomization.yaml"] = mapFile("helmGlobals:\n  chartHome: ../charts\nhelmCharts:\n- name: helm-guestbook\n")
	for dir, want := range map[string]error{"remote": render.ErrRemoteChart, "missing": nil, "escape": nil} {
		t.Run(dir, func(t *testing.T) {
			_, err := render.FS(ctx, mem, dir, render.Options{})
			if err == nil {
				t.Fatal("rendered; want an error")
			}
			if want != nil && !errors.Is(err, want) {
				t.Errorf("got %v, want %v", err, want)
			}
			if strings.Contains(err.Error(), "exec") || strings.Contains(err.Error(), "is 'helm' installed") {
				t.Errorf("ran a helm binary: %v", err)
			}
			t.Logf("error: %v", err)
		})
	}
}

// helmTools finds the real kustomize and helm built by `make tools`.
func helmTools(t *testing.T) (kustomize, helm string) {
	t.Helper()
	k := kubectlPath(t) // only for its folder
	dir := os.Getenv("GITWARD_HELM_TOOLS_BIN")
	if dir == "" && k != "" {
		dir = filepath.Dir(k)
	}
	if dir == "" {
		return "", ""
	}
	kustomize, helm = filepath.Join(dir, "kustomize"), filepath.Join(dir, "helm")
	for _, p := range []string{kustomize, helm} {
		if _, err := os.Stat(p); err != nil {
			return "", ""
		}
	}
	return kustomize, helm
}

func kustomizeEnableHelm(kustomize, helm, dir string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(kustomize, "build", "--enable-helm", "--helm-command", helm, dir)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, errors.Join(err, errors.New(stderr.String()))
	}
	return stdout.Bytes(), nil
}

func mapFile(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), Mode: 0o644} }
