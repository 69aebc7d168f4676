package cmd

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/pkg/diff"
)

// Plaintext that must never reach an output.
const (
	oldPassword = "correct-horse-battery"
	newPassword = "staple-new-secret"
)

// diffFixture is a live cluster and what Git declares: a Deployment whose
// replicas kubectl-edit changed, a Secret whose password changed, a
// ConfigMap to create and one to prune.
func diffFixture(t *testing.T) (live, git []*unstructured.Unstructured) {
	t.Helper()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	parse := func(docs string) []*unstructured.Unstructured {
		var out []*unstructured.Unstructured
		for _, d := range strings.Split(docs, "\n---\n") {
			m := map[string]any{}
			if err := yaml.Unmarshal([]byte(d), &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, &unstructured.Unstructured{Object: m})
		}
		return out
	}
	live = parse(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {gitward.dev/source: shop}
  managedFields:
  - manager: gitward
    operation: Apply
    apiVersion: apps/v1
    fieldsType: FieldsV1
    fieldsV1: {"f:metadata": {"f:labels": {"f:gitward.dev/source": {}}}, "f:spec": {"f:template": {}}}
  - manager: kubectl-edit
    operation: Update
    apiVersion: apps/v1
    fieldsType: FieldsV1
    fieldsV1: {"f:spec": {"f:replicas": {}}}
spec:
  replicas: 5
  template: {spec: {containers: [{name: web, image: "shop:1"}]}}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop, labels: {gitward.dev/source: shop}}
type: Opaque
data: {password: ` + b64(oldPassword) + `, user: ` + b64("admin") + `}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: old, namespace: shop, labels: {gitward.dev/source: shop}}
data: {a: "1"}`)
	git = parse(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {gitward.dev/source: shop}
spec:
  replicas: 2
  template: {spec: {containers: [{name: web, image: "shop:1"}]}}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop, labels: {gitward.dev/source: shop}}
type: Opaque
data: {password: ` + b64(newPassword) + `, user: ` + b64("admin") + `}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: new, namespace: shop, labels: {gitward.dev/source: shop}}
data: {b: "2"}`)
	return live, git
}

func TestDiffGolden(t *testing.T) {
	live, git := diffFixture(t)
	m, err := diff.NewMaskerFrom(bytes.NewReader(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := diff.Objects(live, git, diff.Options{Masker: m, BeforeLabel: "live", AfterLabel: "git"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, golden string
		mutate       func(o *DiffOptions)
	}{
		{"text", "diff/text.golden", func(*DiffOptions) {}},
		{"text in colour", "diff/text-color.golden", func(o *DiffOptions) { o.color = true }},
		{"summary", "diff/summary.golden", func(o *DiffOptions) { o.Summary = true }},
		{"json", "diff/json.golden", func(o *DiffOptions) { o.Output = "json" }},
		{"yaml", "diff/yaml.golden", func(o *DiffOptions) { o.Output = "yaml" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			streams, _, out, _ := genericiooptions.NewTestIOStreams()
			o := NewDiffOptions(nil, streams)
			tc.mutate(o)
			if err := o.write(res); err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{oldPassword, newPassword} {
				if strings.Contains(out.String(), secret) || strings.Contains(out.String(), base64.StdEncoding.EncodeToString([]byte(secret))) {
					t.Fatalf("output holds the Secret value %q", secret)
				}
			}
			golden(t, tc.golden, out.String())
		})
	}
}
