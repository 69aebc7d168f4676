package render_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/render"
)

// remoteRefs are references kustomize would fetch with `git` or HTTP.
var remoteRefs = []string{
	"github.com/example/repo//base?ref=v1.0.0",
	"https://github.com/example/repo.git//base?ref=main",
	"git@github.com:example/repo.git//base",
	"ssh://git@example.com/repo.git//base",
	"git::https://example.com/repo.git//base",
	"https://raw.githubusercontent.com/example/repo/main/deploy.yaml",
	"HTTP://example.com/deploy.yaml",
	"file:///srv/git/repo.git//base",
	"example.com/org/repo//base?ref=v1",
}

func TestRefusesRemote(t *testing.T) {
	where := map[string]func(ref string) string{
		"resources":  func(ref string) string { return kust(ref) },
		"components": func(ref string) string { return kust("cm.yaml") + "components:\n- " + ref + "\n" },
		"patches":    func(ref string) string { return kust("cm.yaml") + "patches:\n- path: " + ref + "\n" },
		"configMapGenerator": func(ref string) string {
			return "configMapGenerator:\n- name: x\n  files:\n  - " + ref + "\n"
		},
		"transformer config": func(ref string) string {
			return kust("cm.yaml") + "transformers:\n- |-\n  apiVersion: builtin\n  kind: PatchTransformer\n" +
				"  metadata:\n    name: p\n  path: " + ref + "\n"
		},
	}
	for field, mk := range where {
		for _, ref := range remoteRefs {
			t.Run(field+"/"+ref, func(t *testing.T) {
				tr := tree{files: map[string]string{"app/kustomization.yaml": mk(ref), "app/cm.yaml": cm("x")}}
				for how, err := range renderBoth(t, tr, "app") {
					if !errors.Is(err, render.ErrRemoteBase) {
						t.Fatalf("%s: got %v, want ErrRemoteBase", how, err)
					}
					if !strings.Contains(err.Error(), ref) {
						t.Errorf("%s: error %q does not name %q", how, err, ref)
					}
				}
			})
		}
	}
}

func TestRefusesRemoteInNestedBase(t *testing.T) {
	tr := tree{files: map[string]string{
		"overlays/dev/kustomization.yaml": kust("../../base"),
		"base/kustomization.yaml":         kust("cm.yaml", remoteRefs[0]),
		"base/cm.yaml":                    cm("x"),
	}}
	for how, err := range renderBoth(t, tr, "overlays/dev") {
		if !errors.Is(err, render.ErrRemoteBase) || !strings.Contains(err.Error(), "base/kustomization.yaml") {
			t.Errorf("%s: got %v, want ErrRemoteBase naming base/kustomization.yaml", how, err)
		}
	}
}

// TestAllowRemoteHTTP fetches a remote resource from a loopback server.
func TestAllowRemoteHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(cm("from-http")))
	}))
	defer srv.Close()
	mem := tree{files: map[string]string{"app/kustomization.yaml": kust(srv.URL + "/cm.yaml")}}.inMemory()
	ctx := context.Background()
	if _, err := render.FS(ctx, mem, "app", render.Options{}); !errors.Is(err, render.ErrRemoteBase) {
		t.Fatalf("without AllowRemote: got %v, want ErrRemoteBase", err)
	}
	res, err := render.FS(ctx, mem, "app", render.Options{AllowRemote: true})
	if err != nil {
		t.Fatalf("with AllowRemote: %v", err)
	}
	if len(res.Objects) != 1 || res.Objects[0].GetName() != "from-http" {
		t.Errorf("got %v, want the ConfigMap from-http", res.Objects)
	}
}

// TestAllowRemoteGit checks a git base gets past the guard to kustomize's
// clone, which here runs a fake `git` that records the call and fails, so
// no network is used.
func TestAllowRemoteGit(t *testing.T) {
	bin := t.TempDir()
	marker := filepath.Join(bin, "called")
	script := "#!/bin/sh\necho \"$@\" >> " + marker + "\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	mem := tree{files: map[string]string{"app/kustomization.yaml": kust(remoteRefs[0])}}.inMemory()
	ctx := context.Background()

	_, err := render.FS(ctx, mem, "app", render.Options{})
	if !errors.Is(err, render.ErrRemoteBase) {
		t.Fatalf("without AllowRemote: got %v, want ErrRemoteBase", err)
	}
	if _, statErr := os.Stat(marker); statErr == nil {
		t.Fatal("git was run although remote bases are not allowed")
	}

	_, err = render.FS(ctx, mem, "app", render.Options{AllowRemote: true})
	if err == nil || errors.Is(err, render.ErrRemoteBase) || errors.Is(err, render.ErrEscapesRoot) {
		t.Fatalf("with AllowRemote: got %v, want the fake git's failure", err)
	}
	if _, statErr := os.Stat(marker); statErr != nil {
		t.Errorf("kustomize did not reach git with AllowRemote: %v", err)
	}
}

func TestLocalNamesAreNotRemote(t *testing.T) {
	tr := tree{files: map[string]string{
		"app/kustomization.yaml": kust("my.github.com.yaml", "v1.0/cm.yaml"),
		"app/my.github.com.yaml": cm("a"),
		"app/v1.0/cm.yaml":       cm("b"),
	}}
	for how, err := range renderBoth(t, tr, "app") {
		if err != nil {
			t.Errorf("%s: %v", how, err)
		}
	}
}
