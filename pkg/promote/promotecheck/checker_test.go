package promotecheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/promote"
	"github.com/gitward/gitward/pkg/render"
)

func TestChecker(t *testing.T) {
	env := config.Environment{Name: "production", Path: "env"}
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{name: "clean", files: map[string]string{
			"env/kustomization.yaml": "namespace: production\nresources:\n- cm.yaml\n",
			"env/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {mode: prod}\n",
		}},
		{name: "plaintext secret", files: map[string]string{
			"env/kustomization.yaml": "namespace: production\nresources:\n- secret.yaml\n",
			"env/secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: hunter2xyz}\n",
		}, wantErr: "plaintext-secret [production] v1/Secret/production/db (env/secret.yaml)"},
		{name: "render error", files: map[string]string{
			"env/kustomization.yaml": "resources:\n- missing.yaml\n",
		}, wantErr: "environment production does not render"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			var warn bytes.Buffer
			c := New(&warn)
			ctx := context.Background()
			cfg := &config.Config{Environments: []config.Environment{env}}
			err := c.Check(ctx, fsys, cfg, env, nil)
			// Handed promote's rendering (with origins), the check does not
			// render again and reports the same.
			if rendered, rerr := render.FS(ctx, fsys, env.Path, render.Options{Origins: true}); rerr == nil {
				err2 := c.Check(ctx, fsys, cfg, env, rendered)
				if fmt.Sprint(err2) != fmt.Sprint(err) {
					t.Errorf("pre-rendered: err = %v, want %v", err2, err)
				}
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, promote.ErrCheckFailed) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ErrCheckFailed with %q", err, tt.wantErr)
			}
		})
	}
}
