package check

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/render"
)

// renderAll renders every environment of the repository at root.
func renderAll(t *testing.T, root string, o render.Options) (*config.Config, map[string]*render.Result) {
	t.Helper()
	cfg, err := config.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*render.Result{}
	for _, env := range cfg.Environments {
		res, err := render.Dir(context.Background(), root, env.Path, o)
		if err != nil {
			t.Fatalf("render %s: %v", env.Name, err)
		}
		out[env.Name] = res
	}
	return cfg, out
}

// TestRunRendered: findings are the same whether Run renders the
// environments itself or is handed renderings with origins.
func TestRunRendered(t *testing.T) {
	root, err := filepath.Abs("testdata/repo")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want, err := Run(ctx, Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	cfg, rendered := renderAll(t, root, render.Options{Origins: true})
	got, err := Run(ctx, Options{Root: root, Config: cfg, Rendered: rendered})
	if err != nil {
		t.Fatal(err)
	}
	if len(want.All()) == 0 {
		t.Fatal("the fixture has no findings; the comparison would prove nothing")
	}
	if !reflect.DeepEqual(got.All(), want.All()) {
		t.Errorf("findings with pre-rendering:\n%v\nwithout:\n%v", got.All(), want.All())
	}
	for i := range want.Environments {
		w, g := want.Environments[i], got.Environments[i]
		if g.Name != w.Name || g.Objects != w.Objects || !reflect.DeepEqual(g.Files, w.Files) {
			t.Errorf("environment %d: got %s %d objects %v, want %s %d objects %v", i, g.Name, g.Objects, g.Files, w.Name, w.Objects, w.Files)
		}
	}
}

// TestRunRenderedIsUsed: a rendering handed over is checked as given (not
// rendered again), and without origins its findings name no file.
func TestRunRenderedIsUsed(t *testing.T) {
	root, _ := filepath.Abs("testdata/repo")
	s := secret("stringData", map[string]any{"token": "abcdef123456"})
	rendered := map[string]*render.Result{"dev": {Objects: []*unstructured.Unstructured{s}}}
	rep, err := Run(context.Background(), Options{Root: root, Environments: []string{"dev"}, Rendered: rendered})
	if err != nil {
		t.Fatal(err)
	}
	all := rep.All()
	if len(all) != 1 || all[0].Kind != KindPlaintextSecret || all[0].File != "" {
		t.Errorf("findings = %v", all)
	}
	if rep.Environments[0].Objects != 1 {
		t.Errorf("objects = %d, want 1", rep.Environments[0].Objects)
	}
}
