//go:build e2e

package apply_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

const (
	commit1 = provenance.CommitID("1111111111111111111111111111111111111111")
	commit2 = provenance.CommitID("2222222222222222222222222222222222222222")
)

const manifests = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: shop}
spec: {size: 3}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {color: blue}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
`

// objects parses the manifests; every call returns fresh copies.
func objects(t *testing.T, docs string) []apply.Object {
	t.Helper()
	var out []apply.Object
	for i, doc := range strings.Split(docs, "\n---\n") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		u := &unstructured.Unstructured{Object: m}
		out = append(out, apply.Object{Object: u, File: "apps/" + strings.ToLower(u.GetKind()) + ".yaml"})
	}
	return out
}

func newApplier(t *testing.T, c *localcluster.Cluster, mode apply.Mode) *apply.Applier {
	t.Helper()
	a, err := apply.ForConfig(c.RESTConfig(), apply.Options{Source: "shop", Force: true, Mode: mode})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}

func TestApplyEndToEnd(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := context.Background()
	dyn := dynamic.NewForConfigOrDie(c.RESTConfig())
	a := newApplier(t, c, apply.ModeEnforce)

	res, err := a.Apply(ctx, commit1, objects(t, manifests))
	if err != nil || res.Err() != nil {
		t.Fatalf("first apply: %v %v", err, res.Err())
	}
	if len(res.Applied) != 5 {
		t.Fatalf("applied %v, want 5 objects", res.Applied)
	}
	w, err := dyn.Resource(schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}).
		Namespace("shop").Get(ctx, "w", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the Widget of the new CRD: %v", err)
	}
	if rec, err := provenance.FromObject(w); err != nil || rec.Source != "shop" || rec.Commit != commit1 {
		t.Errorf("provenance of the Widget: %+v %v", rec, err)
	}

	t.Run("a resync with no change writes nothing", func(t *testing.T) {
		res, err := a.Apply(ctx, commit2, objects(t, manifests))
		if err != nil || res.Err() != nil {
			t.Fatalf("resync: %v %v", err, res.Err())
		}
		if len(res.Applied) != 0 || res.Unchanged != 5 {
			t.Errorf("applied %v, unchanged %d; want nothing applied, 5 unchanged", res.Applied, res.Unchanged)
		}
	})

	// scale edits as a person would; the deployment controller writes the
	// same object, so a conflict is retried on a fresh read.
	scale := func(t *testing.T, replicas int64) {
		t.Helper()
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			d, err := dyn.Resource(deployments).Namespace("shop").Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return err
			}
			_ = unstructured.SetNestedField(d.Object, replicas, "spec", "replicas")
			_, err = dyn.Resource(deployments).Namespace("shop").Update(ctx, d, metav1.UpdateOptions{FieldManager: "kubectl-edit"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	replicas := func(t *testing.T) int64 {
		t.Helper()
		d, err := dyn.Resource(deployments).Namespace("shop").Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
		return n
	}

	t.Run("detect-only reports drift and writes nothing", func(t *testing.T) {
		scale(t, 5)
		res, err := newApplier(t, c, apply.ModeDetect).Apply(ctx, commit1, objects(t, manifests))
		if err != nil || res.Err() != nil {
			t.Fatalf("detect: %v %v", err, res.Err())
		}
		if len(res.Drifted) != 1 || res.Drifted[0].Ref.Name != "web" || res.Drifted[0].Corrected {
			t.Fatalf("drifted = %+v, want web, not corrected", res.Drifted)
		}
		if got := strings.Join(res.Drifted[0].Managers, ","); got != "kubectl-edit" {
			t.Errorf("managers = %q, want kubectl-edit", got)
		}
		if n := replicas(t); n != 5 {
			t.Errorf("replicas = %d after detect-only, want 5 (unchanged)", n)
		}
	})

	t.Run("enforce corrects drift", func(t *testing.T) {
		res, err := a.Apply(ctx, commit1, objects(t, manifests))
		if err != nil || res.Err() != nil {
			t.Fatalf("heal: %v %v", err, res.Err())
		}
		if len(res.Drifted) != 1 || !res.Drifted[0].Corrected {
			t.Fatalf("drifted = %+v, want web corrected", res.Drifted)
		}
		if n := replicas(t); n != 2 {
			t.Errorf("replicas = %d after heal, want 2", n)
		}
		res, _ = a.Apply(ctx, commit1, objects(t, manifests))
		if len(res.Applied) != 0 || len(res.Drifted) != 0 {
			t.Errorf("after heal: applied %v drifted %v, want nothing", res.Applied, res.Drifted)
		}
	})

	t.Run("an invalid object fails alone, named with its file", func(t *testing.T) {
		bad := manifests + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad, namespace: shop}\ndata: {n: [1]}\n"
		res, err := a.Apply(ctx, commit2, objects(t, strings.Replace(bad, "color: blue", "color: red", 1)))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Failed) != 1 || len(res.Applied) != 1 {
			t.Fatalf("failed %v applied %v, want the bad ConfigMap failed and settings applied", res.Failed, res.Applied)
		}
		msg := res.Failed[0].Error()
		if !strings.Contains(msg, "ConfigMap shop/bad") || !strings.Contains(msg, "apps/configmap.yaml") {
			t.Errorf("error %q does not name the object and its file", msg)
		}
		var oe *apply.ObjectError
		if !errors.As(res.Failed[0], &oe) {
			t.Errorf("error is not an ObjectError")
		}
	})
}
