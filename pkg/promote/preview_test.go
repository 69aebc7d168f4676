package promote

import (
	"context"
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/config"
)

// recordingChecker records what NewPreview hands it and returns err.
type recordingChecker struct {
	self    bool
	err     error
	called  int
	objects int
	sawNew  bool
}

func (c *recordingChecker) RendersItself() bool { return c.self }

func (c *recordingChecker) Check(_ context.Context, fsys fs.FS, _ *config.Config, _ config.Environment, objs []*unstructured.Unstructured) error {
	c.called++
	c.objects = len(objs)
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
		name        string
		checker     *recordingChecker
		wantObjects int
		wantErr     bool
	}{
		{name: "objects", checker: &recordingChecker{}, wantObjects: 1},
		{name: "self-rendering gets no objects", checker: &recordingChecker{self: true}, wantObjects: 0},
		{name: "refusal wraps ErrCheckFailed", checker: &recordingChecker{self: true, err: refused}, wantErr: true},
		{name: "refusal after render", checker: &recordingChecker{err: refused}, wantObjects: 1, wantErr: true},
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
			if c.called != 1 || c.objects != tt.wantObjects || !c.sawNew {
				t.Errorf("checker called %d times with %d objects (saw the change: %v), want once with %d", c.called, c.objects, c.sawNew, tt.wantObjects)
			}
		})
	}
}
