package diff

import (
	"encoding/json"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestAttribute(t *testing.T) {
	live := objs(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  replicas: 5
  template:
    spec:
      containers:
      - name: web
        image: web:2
`)[0]
	entry := func(mgr string, op metav1.ManagedFieldsOperationType, fields string) metav1.ManagedFieldsEntry {
		if !json.Valid([]byte(fields)) {
			t.Fatalf("bad fields %s", fields)
		}
		return metav1.ManagedFieldsEntry{Manager: mgr, Operation: op, FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(fields)}
	}
	live.SetManagedFields([]metav1.ManagedFieldsEntry{
		entry("gitward", metav1.ManagedFieldsOperationApply, `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:name":{}}}}}}}`),
		entry("kubectl-edit", metav1.ManagedFieldsOperationUpdate, `{"f:spec":{"f:replicas":{}}}`),
		entry("kubectl-set", metav1.ManagedFieldsOperationUpdate, `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{"f:image":{}}}}}}}`),
	})
	paths := []path{{"spec", "replicas"}, {"spec", "template", "spec", "containers", 0, "image"}}
	got := attribute(live, paths)
	want := []Manager{
		{Name: "kubectl-edit", Operation: "Update", Fields: []string{".spec.replicas"}},
		{Name: "kubectl-set", Operation: "Update", Fields: []string{".spec.template.spec.containers[0].image"}},
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("attribute:\n got %s\nwant %s", gb, wb)
	}
}
