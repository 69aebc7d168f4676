package desired

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

const kustomization = "resources: [cm.yaml]\n"

func cm(value string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: prod}\ndata: {key: " + value + "}\n"
}

const gitwardYAML = `apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
- name: prod
  path: overlays/prod
sources:
- name: prod-src
  branch: main
  path: overlays/prod
`

// repo holds overlays/prod at two commits; the worktree has a third value.
func repo(t *testing.T) (*gittest.Repo, string) {
	t.Helper()
	r := gittest.NewRepo(t)
	r.WriteFile("gitward.yaml", gitwardYAML).
		WriteFile("overlays/prod/kustomization.yaml", kustomization).
		WriteFile("overlays/prod/cm.yaml", cm("one"))
	first := r.Commit("one")
	r.WriteFile("overlays/prod/cm.yaml", cm("two")).Commit("two")
	r.WriteFile("overlays/prod/cm.yaml", cm("worktree"))
	return r, first
}

func value(t *testing.T, st *State) string {
	t.Helper()
	if len(st.Objects) != 1 {
		t.Fatalf("want 1 object, got %d", len(st.Objects))
	}
	return st.Objects[0].Object["data"].(map[string]any)["key"].(string)
}

func TestLoad(t *testing.T) {
	r, first := repo(t)
	dir := filepath.Join(r.Dir, "overlays/prod")
	tests := []struct {
		name       string
		o          Options
		wantValue  string
		wantSource string
		wantCommit bool
	}{
		{"folder on disk, source found in gitward.yaml", Options{Path: dir}, "worktree", "prod-src", false},
		{"revision HEAD", Options{Path: dir, Revision: "HEAD"}, "two", "prod-src", true},
		{"revision by id", Options{Path: dir, Revision: first}, "one", "prod-src", true},
		{"named source from the repository root", Options{Path: r.Dir, Source: "prod-src"}, "worktree", "prod-src", false},
		{"named source at a revision", Options{Path: r.Dir, Source: "prod-src", Revision: "HEAD~1"}, "one", "prod-src", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := Load(context.Background(), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if got := value(t, st); got != tc.wantValue {
				t.Errorf("value = %q, want %q", got, tc.wantValue)
			}
			if st.Source != tc.wantSource {
				t.Errorf("Source = %q, want %q", st.Source, tc.wantSource)
			}
			if (st.Commit != "") != tc.wantCommit {
				t.Errorf("Commit = %q", st.Commit)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	r, _ := repo(t)
	plain := t.TempDir()
	if err := os.WriteFile(filepath.Join(plain, "a.yaml"), []byte(cm("x")+"---\n"+cm("y")), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    Options
		is   error
	}{
		{"unknown source", Options{Path: r.Dir, Source: "nope"}, nil},
		{"unknown revision", Options{Path: r.Dir, Revision: "no-such-branch"}, nil},
		{"revision with files", Options{Files: []string{plain}, Revision: "HEAD"}, ErrUsage},
		{"revision outside a repository", Options{Path: plain, Revision: "HEAD"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(context.Background(), tc.o)
			if err == nil {
				t.Fatal("want an error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
		})
	}
}

func TestReadFiles(t *testing.T) {
	dir := t.TempDir()
	list := "apiVersion: v1\nkind: List\nitems:\n- " + "{apiVersion: v1, kind: ConfigMap, metadata: {name: l1}}\n"
	for name, body := range map[string]string{"a.yaml": cm("x") + "---\n" + cm("y"), "b.yml": list, "c.txt": "ignored"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	objs, err := ReadFiles([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 3 {
		t.Fatalf("want 3 objects, got %d", len(objs))
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("kind: ConfigMap\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFiles([]string{dir}); err == nil {
		t.Error("a document without apiVersion must fail")
	}
}

// Outside a checkout, an overlay whose kustomization names ../base renders,
// and "-" reads stdin (issue 14: `diff -f -`, and `render "."`).
func TestLoadOutsideCheckoutAndStdin(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("base/kustomization.yaml", "resources: [cm.yaml]\n")
	write("base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	write("prod/kustomization.yaml", "resources: [../base]\nnamespace: prod\n")
	st, err := Load(t.Context(), Options{Path: filepath.Join(dir, "prod")})
	if err != nil {
		t.Fatalf("Load of an overlay naming ../base outside a checkout: %v", err)
	}
	if len(st.Objects) != 1 || st.Objects[0].GetNamespace() != "prod" {
		t.Errorf("objects = %v, want ConfigMap a in prod", st.Objects)
	}
	_, err = Load(t.Context(), Options{Path: filepath.Join(dir, "base", "missing")})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "base", "missing")) {
		t.Errorf("error does not name the folder given: %v", err)
	}
	st, err = Load(t.Context(), Options{Files: []string{"-"}, Stdin: strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")})
	if err != nil || len(st.Objects) != 1 || st.Objects[0].GetName() != "b" {
		t.Errorf("-f -: %v, %v", st, err)
	}
}
