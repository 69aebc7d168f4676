package promote

import (
	"context"
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/render"
)

// recordingChecker records what NewPreview hands it and returns err.
type recordingChecker struct {
	err      error
	called   int
	rendered *render.Result
	sawNew   bool
}

func (c *recordingChecker) Check(_ context.Context, fsys fs.FS, _ *config.Config, _ config.Environment, rendered *render.Result) error {
	c.called++
	c.rendered = rendered
	b, _ := fs.ReadFile(fsys, "env/cm.yaml")
	c.sawNew = string(b) == newCM
	return c.err
}

const newCM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {k: new}\n"

func TestNewPreviewChecker(t *testing.T) {
	target := fstest.MapFS{
		"env/kustomization.yaml": {Data: []byte("resources:\n- cm.yaml\n")},
		"env/cm.yaml":            {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {k: old}\n")},
	}
	refused := errors.New("policy says no")
	tests := []struct {
		name    string
		checker *recordingChecker
		wantErr bool
	}{
		{name: "gets the rendering of the diff, with origins", checker: &recordingChecker{}},
		{name: "refusal wraps ErrCheckFailed", checker: &recordingChecker{err: refused}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPreview(context.Background(), PreviewOptions{
				Config: &config.Config{}, Env: config.Environment{Name: "env", Path: "env"}, Target: target,
				Changes: map[string][]byte{"env/cm.yaml": []byte(newCM)}, Check: tt.checker,
			})
			if tt.wantErr != (err != nil) || (err != nil && (!errors.Is(err, ErrCheckFailed) || !errors.Is(err, refused))) {
				t.Fatalf("err = %v, want error %v wrapping ErrCheckFailed", err, tt.wantErr)
			}
			if p == nil || p.Diff == nil || p.Diff.Counts().Change != 1 {
				t.Fatalf("preview = %+v, want one change", p)
			}
			c := tt.checker
			if c.called != 1 || !c.sawNew {
				t.Fatalf("checker called %d times (saw the change: %v), want once", c.called, c.sawNew)
			}
			// One rendering of "after" serves the diff and the check.
			if c.rendered == nil || c.rendered != p.AfterResult || len(c.rendered.Objects) != 1 || &c.rendered.Objects[0] != &p.After[0] {
				t.Fatalf("checker got %+v, want the preview's rendering %+v", c.rendered, p.AfterResult)
			}
			if o := c.rendered.Origins; len(o) != 1 || o[0].Path != "env/cm.yaml" {
				t.Errorf("origins = %+v, want env/cm.yaml", o)
			}
		})
	}
}
