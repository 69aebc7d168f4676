package policy

import (
	"context"
	"os"
	"testing"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func obj(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(y), &m); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return &unstructured.Unstructured{Object: m}
}

func deployment(t *testing.T, ns, name string, replicas int) *unstructured.Unstructured {
	u := obj(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        readinessProbe: {httpGet: {path: /, port: 80}}
`)
	u.SetName(name)
	u.SetNamespace(ns)
	if err := unstructured.SetNestedField(u.Object, int64(replicas), "spec", "replicas"); err != nil {
		t.Fatal(err)
	}
	return u
}

func configMap(t *testing.T, ns, name string, data map[string]any) *unstructured.Unstructured {
	u := obj(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}`)
	u.SetName(name)
	u.SetNamespace(ns)
	if data != nil {
		if err := unstructured.SetNestedField(u.Object, data, "data"); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func loadTestdata(t *testing.T, files ...string) *Set {
	t.Helper()
	set, err := Load(os.DirFS("testdata"), files...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return set
}

type key struct {
	policy, rule, object string
}

func byKey(rep *Report) map[key]Status {
	out := map[key]Status{}
	for _, r := range rep.Results {
		out[key{r.Policy, r.Rule, r.Object.Namespace + "/" + r.Object.Name}] = r.Status
	}
	return out
}

func TestEvaluate(t *testing.T) {
	set := loadTestdata(t, "deny.yaml", "cel.yaml")
	objects := []*unstructured.Unstructured{
		deployment(t, "payments", "small", 2),
		deployment(t, "payments", "huge", 9),
		configMap(t, "payments", "quiet", map[string]any{"debug": "false"}),
		configMap(t, "payments", "noisy", map[string]any{"LOG_LEVEL": "trace"}),
		configMap(t, "other", "noisy", map[string]any{"LOG_LEVEL": "trace"}),
		configMap(t, "payments", "big", map[string]any{"a": "1", "b": "2", "c": "3", "d": "4"}),
	}
	rep, err := set.Evaluate(context.Background(), objects, Options{})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	got := byKey(rep)
	tests := []struct {
		name string
		key  key
		want Status
	}{
		{"deny passes", key{"limit-replicas", "at-most-five", "payments/small"}, StatusPass},
		{"deny fails", key{"limit-replicas", "at-most-five", "payments/huge"}, StatusFail},
		{"namespaced policy passes", key{"payments/no-debug-config", "no-debug-key", "payments/quiet"}, StatusPass},
		{"namespaced policy fails", key{"payments/no-debug-config", "no-debug-key", "payments/noisy"}, StatusFail},
		{"cel passes", key{"replicas-and-probes", "", "payments/small"}, StatusPass},
		{"cel fails", key{"replicas-and-probes", "", "payments/huge"}, StatusFail},
		{"cel audit fails", key{"configmap-size", "", "payments/big"}, StatusFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if g, ok := got[tt.key]; !ok || g != tt.want {
				t.Errorf("%v = %q (present %v), want %q; all: %v", tt.key, g, ok, tt.want, got)
			}
		})
	}
	if _, ok := got[key{"payments/no-debug-config", "no-debug-key", "other/noisy"}]; ok {
		t.Errorf("a namespaced Policy was applied outside its namespace")
	}
	if !rep.Failed() {
		t.Errorf("Failed() = false, want true")
	}
	for _, r := range rep.Results {
		if r.PolicyFile == "" {
			t.Errorf("result %+v has no policy file", r)
		}
	}
	if objects[0].Object["spec"].(map[string]any)["replicas"] != int64(2) {
		t.Errorf("Evaluate modified its input")
	}
}

func TestEvaluateAuditWarn(t *testing.T) {
	set := loadTestdata(t, "cel.yaml")
	big := configMap(t, "a", "big", map[string]any{"a": "1", "b": "2", "c": "3", "d": "4"})
	rep, err := set.Evaluate(context.Background(), []*unstructured.Unstructured{big}, Options{AuditWarn: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Summary(); s.Warn != 1 || s.Fail != 0 {
		t.Errorf("summary = %+v, want one warn", s)
	}
}

func TestLoad(t *testing.T) {
	invalid, err := os.ReadFile("testdata/invalid.yaml.txt")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"policies/invalid.yaml":       {Data: invalid},
		"policies/.hidden/x.yaml":     {Data: []byte("not: [yaml")},
		"policies/README.md":          {Data: []byte("# notes")},
		"policies/kustomization.yaml": {Data: []byte("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")},
	}
	tests := []struct {
		name        string
		fsys        fstest.MapFS
		paths       []string
		wantErr     bool
		wantLen     int
		wantInvalid int
	}{
		{name: "folder", fsys: fstest.MapFS{}, paths: nil, wantLen: 0},
		{name: "invalid policy is listed, not loaded", fsys: fsys, paths: []string{"policies"}, wantInvalid: 1},
		{name: "missing path", fsys: fsys, paths: []string{"nope"}, wantErr: true},
		{name: "unknown field", fsys: fstest.MapFS{"p.yaml": {Data: []byte(
			"apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: x}\nspec:\n  rulez: []\n")}},
			paths: []string{"p.yaml"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Load(tt.fsys, tt.paths...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if set.Len() != tt.wantLen || len(set.Invalid()) != tt.wantInvalid {
				t.Errorf("Len = %d, Invalid = %v; want %d, %d", set.Len(), set.Invalid(), tt.wantLen, tt.wantInvalid)
			}
		})
	}
}

func TestLoadTestdata(t *testing.T) {
	set := loadTestdata(t, ".")
	want := []Info{
		{Kind: "ClusterPolicy", Name: "limit-replicas", File: "deny.yaml"},
		{Kind: "Policy", Namespace: "payments", Name: "no-debug-config", File: "deny.yaml"},
		{Kind: "ValidatingPolicy", Name: "configmap-size", File: "cel.yaml"},
		{Kind: "ValidatingPolicy", Name: "replicas-and-probes", File: "cel.yaml"},
	}
	got := set.Policies()
	if len(got) != len(want) {
		t.Fatalf("Policies() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Policies()[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if len(set.Warnings()) == 0 {
		t.Errorf("no warning for the Kustomization in testdata")
	}
}
