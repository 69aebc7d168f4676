package render_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gitward/gitward/pkg/render"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resmap"
)

// TestChartEnvironments renders the chart environments gitward.yaml
// declares by their path, from disk and from an in-memory tree, and
// compares with the real `helm template` of the same chart and values.
func TestChartEnvironments(t *testing.T) {
	ctx := context.Background()
	mem := memCopy(t, "testdata/chartenv")
	_, helmBin := helmTools(t)
	cases := []struct {
		path, ns string
		args     []string
	}{
		{"helm-guestbook/values-dev.yaml", "guestbook-dev", []string{"template", "guestbook", "helm-guestbook", "-n", "guestbook-dev", "-f", "helm-guestbook/values-dev.yaml"}},
		{"helm-guestbook/values-production.yaml", "", []string{"template", "helm-guestbook", "helm-guestbook", "-f", "helm-guestbook/values-production.yaml"}},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			disk, err := render.Dir(ctx, "testdata/chartenv", c.path, render.Options{Origins: true})
			if err != nil {
				t.Fatal(err)
			}
			tree, err := render.FS(ctx, mem, c.path, render.Options{})
			if err != nil {
				t.Fatal(err)
			}
			a, _ := disk.YAML()
			b, _ := tree.YAML()
			if !bytes.Equal(a, b) || len(disk.Objects) != 2 {
				t.Fatalf("disk and tree differ or not 2 objects:\n%s\n---\n%s", a, b)
			}
			for i, o := range disk.Origins {
				if filepath.Dir(o.Path) != "helm-guestbook/templates" {
					t.Errorf("%s: origin %q, want a template of helm-guestbook", disk.Objects[i].GetName(), o.Path)
				}
			}
			if helmBin == "" {
				t.Skip("real helm not found; disk and tree agree")
			}
			cmd := exec.Command(helmBin, c.args...)
			cmd.Dir = "testdata/chartenv"
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("helm %v: %v", c.args, err)
			}
			m, err := resmap.NewFactory(provider.NewDefaultDepProvider().GetResourceFactory()).NewResMapFromBytes(out)
			if err != nil {
				t.Fatal(err)
			}
			// helm install -n places objects naming no namespace in the
			// release's; gitward's render says so in the objects.
			for _, r := range m.Resources() {
				if c.ns != "" {
					if err := r.SetNamespace(c.ns); err != nil {
						t.Fatal(err)
					}
				}
			}
			want, _ := m.AsYaml()
			if !bytes.Equal(a, want) {
				t.Errorf("differs from helm template:\n--- got\n%s\n--- helm\n%s", a, want)
			}
		})
	}
	t.Run("not declared", func(t *testing.T) {
		if _, err := render.FS(ctx, mem, "helm-guestbook/values.yaml", render.Options{}); err == nil {
			t.Fatal("rendered a path gitward.yaml does not declare")
		}
	})
}
