// Package helm_test benchmarks pkg/helm against `helm template` on the
// same chart and values: a generated 50-template chart rendered for three
// environments (dev, staging, production values files). Run side by side:
//
//	HELM=/path/to/helm go test -run TestHelmVsHelmTemplate -v ./bench/helm/
//
// (HELM defaults to $GITWARD_TOOLS_BIN/helm, built from tests/tools/helm.)
// The test renders the three environments RUNS times (default 10) each
// way, interleaved, and prints per-environment medians and the ratio;
// `helm template` is one process per environment, as a user or a CI job
// runs it. BenchmarkRender gives the in-process figure alone.
package helm_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gitward/gitward/pkg/helm"
)

const templates = 50

var envs = []string{"dev", "staging", "production"}

// writeChart writes a chart of 50 templates (Deployments, Services,
// ConfigMaps with helpers, ranges and conditionals, as real charts use)
// and one values file per environment; it returns the folder.
func writeChart(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "bench")
	must(tb, os.MkdirAll(filepath.Join(dir, "templates"), 0o755))
	write(tb, filepath.Join(dir, "Chart.yaml"), "apiVersion: v2\nname: bench\nversion: 1.0.0\nappVersion: \"2.0\"\n")
	write(tb, filepath.Join(dir, "values.yaml"), "replicas: 1\nimage: {repository: example.com/app, tag: \"1.0\"}\n"+
		"env: {LOG_LEVEL: info, FEATURE_X: \"false\"}\nresources: {requests: {cpu: 10m, memory: 32Mi}}\nservice: {enabled: true, port: 80}\n")
	write(tb, filepath.Join(dir, "templates", "_helpers.tpl"), `{{- define "bench.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | trunc 63 }}
{{- end -}}
{{- define "bench.fullname" -}}
{{ printf "%s-%s" .Release.Name .name | trunc 63 | trimSuffix "-" }}
{{- end -}}
`)
	for i := range templates {
		name := "c" + strconv.Itoa(i)
		var body string
		switch i % 3 {
		case 0:
			body = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "bench.fullname" (dict "Release" .Release "name" "NAME") }}
  labels:
    {{- include "bench.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: NAME}
  template:
    metadata:
      labels: {app: NAME}
      annotations:
        checksum/config: {{ toYaml .Values.env | sha256sum }}
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env:
          {{- range $k, $v := .Values.env }}
            - name: {{ $k }}
              value: {{ $v | quote }}
          {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
`
		case 1:
			body = `{{- if .Values.service.enabled }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "bench.fullname" (dict "Release" .Release "name" "NAME") }}
  labels:
    {{- include "bench.labels" . | nindent 4 }}
spec:
  selector: {app: NAME}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: 8080
{{- end }}
`
		default:
			body = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "bench.fullname" (dict "Release" .Release "name" "NAME") }}
  labels:
    {{- include "bench.labels" . | nindent 4 }}
data:
  {{- range $k, $v := .Values.env }}
  {{ $k }}: {{ $v | quote }}
  {{- end }}
  release: {{ .Release.Namespace }}
`
		}
		write(tb, filepath.Join(dir, "templates", name+".yaml"), string(bytes.ReplaceAll([]byte(body), []byte("NAME"), []byte(name))))
	}
	for i, e := range envs {
		write(tb, filepath.Join(dir, "values-"+e+".yaml"), fmt.Sprintf("replicas: %d\nimage: {tag: \"1.%d\"}\nenv: {LOG_LEVEL: %s}\n", i+1, i, e))
	}
	return dir
}

func release(e string) helm.Release {
	return helm.Release{Name: "bench", Namespace: e, ValuesFiles: []string{"values-" + e + ".yaml"}}
}

func renderAll(tb testing.TB, dir string) [][]byte {
	var outs [][]byte
	for _, e := range envs {
		out, err := helm.Render(context.Background(), helm.Chart{FS: os.DirFS(dir), Dir: "."}, release(e), helm.Limits{})
		if err != nil {
			tb.Fatal(err)
		}
		outs = append(outs, out)
	}
	return outs
}

func helmTemplateAll(tb testing.TB, bin, dir string) [][]byte {
	var outs [][]byte
	for _, e := range envs {
		cmd := exec.Command(bin, "template", "bench", ".", "--namespace", e, "-f", "values-"+e+".yaml")
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			tb.Fatalf("helm template: %v", err)
		}
		outs = append(outs, out)
	}
	return outs
}

func BenchmarkRender(b *testing.B) {
	dir := writeChart(b)
	b.ReportAllocs()
	for b.Loop() {
		renderAll(b, dir)
	}
}

func TestHelmVsHelmTemplate(t *testing.T) {
	bin := os.Getenv("HELM")
	if bin == "" {
		bin = filepath.Join(os.Getenv("GITWARD_TOOLS_BIN"), "helm")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no helm at %q (set HELM or GITWARD_TOOLS_BIN; make tools builds it)", bin)
	}
	runs := 10
	if v, err := strconv.Atoi(os.Getenv("RUNS")); err == nil && v > 0 {
		runs = v
	}
	dir := writeChart(t)
	// Same inputs, same bytes.
	got, want := renderAll(t, dir), helmTemplateAll(t, bin, dir)
	for i := range envs {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("%s: pkg/helm and helm template differ", envs[i])
		}
	}
	var inproc, exe []time.Duration
	for range runs {
		start := time.Now()
		renderAll(t, dir)
		inproc = append(inproc, time.Since(start))
		start = time.Now()
		helmTemplateAll(t, bin, dir)
		exe = append(exe, time.Since(start))
	}
	mi, me := median(inproc), median(exe)
	t.Logf("50-template chart x 3 environments, median of %d runs: pkg/helm %s, helm template %s; ratio pkg/helm/helm = %.2f (%.1fx faster)",
		runs, mi.Round(time.Microsecond), me.Round(time.Microsecond), float64(mi)/float64(me), float64(me)/float64(mi))
	if mi > me {
		t.Errorf("pkg/helm (%s) slower than helm template (%s)", mi, me)
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func write(tb testing.TB, p, s string) { tb.Helper(); must(tb, os.WriteFile(p, []byte(s), 0o644)) }

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
