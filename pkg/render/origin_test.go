package render_test

import (
	"context"
	"testing"

	"github.com/gitward/gitward/pkg/render"
)

func TestOrigins(t *testing.T) {
	tests := []struct {
		path string
		want map[string]render.Origin // kind/name → origin
	}{
		{
			path: "overlays/production",
			want: map[string]render.Origin{
				"Deployment/web":              {Path: "base/deployment.yaml"},
				"HorizontalPodAutoscaler/web": {Path: "overlays/production/hpa.yaml"},
				"ServiceMonitor/web":          {Path: "components/monitoring/servicemonitor.yaml"},
			},
		},
		{
			path: "generators",
			want: map[string]render.Origin{
				"ConfigMap/static":             {Path: "generators/kustomization.yaml", Generator: "ConfigMapGenerator"},
				"Secret/app-secret-cf85kd65mm": {Path: "generators/kustomization.yaml", Generator: "SecretGenerator"},
				"Deployment/app":               {Path: "generators/deployment.yaml"},
			},
		},
		{
			// The kustomization asks for origin annotations itself: they
			// stay in the output and are reported too.
			path: "buildmeta",
			want: map[string]render.Origin{"Deployment/meta-web": {Path: "base/deployment.yaml"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, err := render.FS(context.Background(), memCopy(t, "testdata"), tt.path, render.Options{Origins: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Origins) != len(res.Objects) {
				t.Fatalf("%d origins for %d objects", len(res.Origins), len(res.Objects))
			}
			got := map[string]render.Origin{}
			for i, o := range res.Objects {
				got[o.GetKind()+"/"+o.GetName()] = res.Origins[i]
			}
			for id, want := range tt.want {
				if got[id] != want {
					t.Errorf("%s: origin %+v, want %+v", id, got[id], want)
				}
			}
		})
	}
}

func TestObjectsAreJSONCompatible(t *testing.T) {
	res, err := render.Dir(context.Background(), "testdata", "fidelity", render.Options{Origins: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Objects {
		// DeepCopy panics on values encoding/json would not produce.
		c := o.DeepCopy()
		if _, err := c.MarshalJSON(); err != nil {
			t.Errorf("%s: %v", o.GetName(), err)
		}
	}
	widget := res.Objects[1].Object["spec"].(map[string]any)
	if v, ok := widget["int"].(int64); !ok || v != 42 {
		t.Errorf("spec.int = %#v, want int64(42)", widget["int"])
	}
	if v, ok := widget["date"].(string); !ok || v != "2024-01-02T00:00:00Z" {
		t.Errorf("spec.date = %#v, want the string kubectl prints", widget["date"])
	}
	if _, ok := res.Objects[0].GetAnnotations()["config.kubernetes.io/origin"]; ok {
		t.Error("origin annotation left on the object")
	}
}

func TestHandBuiltResultYAML(t *testing.T) {
	res, err := render.Dir(context.Background(), "testdata", "base", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := res.YAML()
	got, err := (&render.Result{Objects: res.Objects}).YAML()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("marshalled objects differ from the render:\n%s\n---\n%s", got, want)
	}
}

func TestOriginsOff(t *testing.T) {
	res, err := render.Dir(context.Background(), "testdata", "overlays/production", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Origins != nil {
		t.Errorf("Origins filled without Options.Origins: %v", res.Origins)
	}
}
