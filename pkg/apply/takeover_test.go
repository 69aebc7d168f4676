package apply

import (
	"encoding/json"
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitward/gitward/pkg/provenance"
)

func TestMergedEntries(t *testing.T) {
	entry := func(manager, op, sub, fields string) metav1.ManagedFieldsEntry {
		return metav1.ManagedFieldsEntry{Manager: manager, Operation: metav1.ManagedFieldsOperationType(op), Subresource: sub,
			APIVersion: "apps/v1", FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(fields)}}
	}
	a := &Applier{o: Options{FieldManager: provenance.FieldManager}}
	got, taken, err := a.mergedEntries([]metav1.ManagedFieldsEntry{
		entry("kubectl-create", "Update", "", `{"f:spec":{"f:paused":{},"f:replicas":{}}}`),
		entry("kube-controller-manager", "Update", "", `{"f:metadata":{"f:annotations":{"f:deployment.kubernetes.io/revision":{}}}}`),
		entry("kube-controller-manager", "Update", "status", `{"f:status":{"f:replicas":{}}}`),
		entry("helm", "Update", "", `{"f:metadata":{"f:labels":{"f:app":{}}}}`),
		entry(provenance.FieldManager, "Apply", "", `{"f:spec":{"f:replicas":{}}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(taken, []string{"kubectl-create", "helm"}) {
		t.Errorf("taken = %v, want kubectl-create and helm", taken)
	}
	if len(got) != 3 || got[0].Manager != provenance.FieldManager {
		t.Fatalf("entries = %v, want the applier's first, then kube-controller-manager's two", got)
	}
	var tree map[string]any
	if err := json.Unmarshal(got[0].FieldsV1.Raw, &tree); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"f:spec": map[string]any{"f:paused": map[string]any{}, "f:replicas": map[string]any{}},
		"f:metadata": map[string]any{"f:labels": map[string]any{"f:app": map[string]any{}}}}
	if !reflect.DeepEqual(tree, want) {
		t.Errorf("the applier's fields = %v, want %v", tree, want)
	}
	if _, taken, _ := a.mergedEntries(got[1:]); taken != nil {
		t.Errorf("without an apply entry of its own nothing is taken over, got %v", taken)
	}
}
