package helm_test

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
	"time"

	"github.com/gitward/gitward/pkg/helm"
)

var guestbook = helm.Chart{FS: os.DirFS("testdata"), Dir: "helm-guestbook"}

// helmBin finds the real helm built from tests/tools/helm.
func helmBin() string {
	for _, dir := range []string{os.Getenv("GITWARD_HELM_TOOLS_BIN"), os.Getenv("GITWARD_TOOLS_BIN"), "../../.cache/bin"} {
		if dir == "" {
			continue
		}
		if p := filepath.Join(dir, "helm"); fileExists(p) {
			return p
		}
	}
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func TestRenderMatchesHelmTemplate(t *testing.T) {
	cases := []struct {
		name string
		rel  helm.Release
		args []string
	}{
		{"defaults", helm.Release{}, nil},
		{"production", helm.Release{Name: "gb", Namespace: "prod", ValuesFiles: []string{"helm-guestbook/values-production.yaml"}},
			[]string{"gb", "--namespace", "prod", "-f", "testdata/helm-guestbook/values-production.yaml"}},
	}
	bin := helmBin()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := helm.Render(context.Background(), guestbook, c.rel, helm.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(got, []byte("# Source: helm-guestbook/templates/deployment.yaml")) || bytes.Contains(got, []byte("NOTES")) {
				t.Errorf("unexpected output:\n%s", got)
			}
			if bin == "" {
				t.Skip("real helm not found (run `make tools` or set GITWARD_HELM_TOOLS_BIN)")
			}
			args := append([]string{"template"}, c.args...)
			if len(c.args) == 0 {
				args = append(args, "testdata/helm-guestbook")
			} else {
				args = append(args[:2], append([]string{"testdata/helm-guestbook"}, args[2:]...)...)
			}
			want, err := exec.Command(bin, args...).Output()
			if err != nil {
				t.Fatalf("helm %v: %v", args, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("differs from helm template:\n--- got\n%s\n--- helm\n%s", got, want)
			}
		})
	}
}

func chartFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{"c/Chart.yaml": {Data: []byte("apiVersion: v2\nname: c\nversion: 0.1.0\n")}}
	for k, v := range files {
		m["c/"+k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

func TestOfflineAndConfined(t *testing.T) {
	ctx := context.Background()
	fsys := chartFS(map[string]string{
		"templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: x}
data:
  lookup: {{ lookup "v1" "Secret" "kube-system" "" | toJson | quote }}
  escape: {{ .Files.Get "../secret.txt" | quote }}
  glob: {{ len (.Files.Glob "**") | quote }}
`,
	})
	fsys["secret.txt"] = &fstest.MapFile{Data: []byte("TOPSECRET")}
	out, err := helm.Render(ctx, helm.Chart{FS: fsys, Dir: "c"}, helm.Release{}, helm.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("TOPSECRET")) || !bytes.Contains(out, []byte(`lookup: "{}"`)) {
		t.Errorf("chart saw outside its folder or the cluster:\n%s", out)
	}
}

func TestSymlinkEscapeRefused(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "c", "templates"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "c", "Chart.yaml"), []byte("apiVersion: v2\nname: c\nversion: 0.1.0\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "secret.yaml"), []byte("kind: Secret\n"), 0o644))
	must(t, os.Symlink("../../secret.yaml", filepath.Join(dir, "c", "templates", "s.yaml")))
	_, err := helm.Render(context.Background(), helm.Chart{FS: os.DirFS(dir), Dir: "c"}, helm.Release{}, helm.Limits{})
	if !errors.Is(err, helm.ErrEscapes) {
		t.Fatalf("got %v, want ErrEscapes", err)
	}
	t.Logf("error: %v", err)
	// A link inside the chart folder is followed, as helm does.
	must(t, os.Remove(filepath.Join(dir, "c", "templates", "s.yaml")))
	must(t, os.WriteFile(filepath.Join(dir, "c", "real.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: l}\n"), 0o644))
	must(t, os.Symlink("../real.yaml", filepath.Join(dir, "c", "templates", "l.yaml")))
	out, err := helm.Render(context.Background(), helm.Chart{FS: os.DirFS(dir), Dir: "c"}, helm.Release{}, helm.Limits{})
	if err != nil || !bytes.Contains(out, []byte("name: l")) {
		t.Fatalf("link inside the chart: %v\n%s", err, out)
	}
}

func TestHostileCharts(t *testing.T) {
	ctx := context.Background()
	bomb := "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n" +
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	cases := []struct {
		name  string
		files map[string]string
		rel   helm.Release
		lim   helm.Limits
		want  error
	}{
		{"include recursion", map[string]string{"templates/a.yaml": `{{ define "a" }}{{ include "a" . }}{{ end }}{{ include "a" . }}`}, helm.Release{}, helm.Limits{}, nil},
		{"slow template", map[string]string{"templates/a.yaml": `{{ range until 2000 }}{{ range until 100000 }}{{ end }}{{ end }}`}, helm.Release{}, helm.Limits{Timeout: 300 * time.Millisecond}, helm.ErrTimeout},
		{"values bomb", map[string]string{"values.yaml": "x: 1\n", "templates/a.yaml": "{}"}, helm.Release{ValuesFiles: []string{"c/bomb.yaml"}}, helm.Limits{}, nil},
		{"deep values", map[string]string{"templates/a.yaml": "{}"}, helm.Release{ValuesFiles: []string{"c/deep.yaml"}}, helm.Limits{}, helm.ErrTooLarge},
		{"too many files", map[string]string{"templates/a.yaml": "{}", "templates/b.yaml": "{}", "templates/c.yaml": "{}"}, helm.Release{}, helm.Limits{Files: 2}, helm.ErrTooLarge},
		{"big output", map[string]string{"templates/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: {{ repeat 2000 \"x\" }}}"}, helm.Release{}, helm.Limits{OutputBytes: 1000}, helm.ErrTooLarge},
		{"remote schema", map[string]string{"templates/a.yaml": "{}", "values.schema.json": `{"$ref": "https://example.com/s.json"}`}, helm.Release{}, helm.Limits{}, helm.ErrOffline},
		{"file schema", map[string]string{"templates/a.yaml": "{}", "values.schema.json": `{"$ref": "file:///etc/passwd"}`}, helm.Release{}, helm.Limits{}, helm.ErrOffline},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := chartFS(c.files)
			fsys["c/bomb.yaml"] = &fstest.MapFile{Data: []byte(bomb)}
			fsys["c/deep.yaml"] = &fstest.MapFile{Data: []byte(strings.Repeat("{a: ", 200) + "1" + strings.Repeat("}", 200))}
			start := time.Now()
			_, err := helm.Render(ctx, helm.Chart{FS: fsys, Dir: "c"}, c.rel, c.lim)
			if err == nil {
				t.Fatal("rendered; want an error")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), "c") {
				t.Errorf("error does not name the chart: %v", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
			t.Logf("%s: %.200s", time.Since(start).Round(time.Millisecond), err)
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
