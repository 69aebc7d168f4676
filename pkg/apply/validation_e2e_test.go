//go:build e2e

package apply_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/tests/localcluster"
)

// A CRD with a structural schema that does not preserve unknown fields.
const gadgetCRD = `
apiVersion: v1
kind: Namespace
metadata: {name: lab}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
`

// Objects with a field their schema does not declare.
const unknownFields = `
apiVersion: v1
kind: ConfigMap
metadata: {name: typo, namespace: lab}
data: {a: b}
colour: blue
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: typo, namespace: lab}
spec:
  replicas: 1
  replica: 2
  selector: {matchLabels: {app: typo}}
  template:
    metadata: {labels: {app: typo}}
    spec:
      containers: [{name: web, image: nginx:1.25}]
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: typo, namespace: lab}
spec: {size: 3, colour: blue}
`

// TestFieldValidationIgnoreKeepsUnknownFieldErrors shows that the default
// directive, Ignore, loses no error: server-side apply refuses a field its
// schema does not declare (built-in kinds and a CRD's structural schema) in
// every mode, naming the field, and nothing of such an object is written.
func TestFieldValidationIgnoreKeepsUnknownFieldErrors(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := context.Background()
	setup, err := apply.ForConfig(c.RESTConfig(), apply.Options{Source: "lab", Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := setup.Apply(ctx, commit1, objects(t, gadgetCRD)); err != nil || res.Err() != nil {
		t.Fatalf("CRD: %v %v", err, res.Err())
	}
	if setup.Options().FieldValidation != apply.FieldValidationIgnore {
		t.Errorf("default FieldValidation = %q, want Ignore", setup.Options().FieldValidation)
	}
	want := map[string]string{"ConfigMap": ".colour", "Deployment": ".spec.replica", "Gadget": ".spec.colour"}
	for _, mode := range []string{apply.FieldValidationIgnore, apply.FieldValidationWarn, apply.FieldValidationStrict} {
		t.Run(mode, func(t *testing.T) {
			a, err := apply.ForConfig(c.RESTConfig(), apply.Options{Source: "lab", Force: true, FieldValidation: mode})
			if err != nil {
				t.Fatal(err)
			}
			res, err := a.Apply(ctx, commit2, objects(t, unknownFields))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Applied) != 0 || len(res.Failed) != 3 {
				t.Fatalf("applied %v, failed %v; want all three refused", res.Applied, res.Failed)
			}
			for _, f := range res.Failed {
				field := want[f.Ref.Kind]
				if msg := f.Error(); !strings.Contains(msg, field) || !strings.Contains(msg, "not declared in schema") {
					t.Errorf("%s: error %q does not name the unknown field %s", f.Ref, msg, field)
				}
			}
		})
	}
}
