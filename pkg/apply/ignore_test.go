package apply

import (
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/provenance"
)

func TestLeaveToOthers(t *testing.T) {
	replicas, _ := admit.ParseIgnoreRule("apps/Deployment:spec.replicas")
	entry := func(manager, op, sub, fields string) metav1.ManagedFieldsEntry {
		return metav1.ManagedFieldsEntry{Manager: manager, Operation: metav1.ManagedFieldsOperationType(op), Subresource: sub,
			FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(fields)}
	}
	own := entry(provenance.FieldManager, "Apply", "", `{"f:spec":{"f:replicas":{},"f:paused":{}}}`)
	tests := []struct {
		name        string
		ignore      []admit.IgnoreRule
		controllers []Controller
		managed     []metav1.ManagedFieldsEntry
		want        bool // replicas still applied
	}{
		{"ignored, nobody else owns it: Git's value", []admit.IgnoreRule{replicas}, []Controller{}, []metav1.ManagedFieldsEntry{own}, true},
		{"ignored, scaled by someone: left to them", []admit.IgnoreRule{replicas}, []Controller{},
			[]metav1.ManagedFieldsEntry{own, entry("kubectl", "Update", "scale", `{"f:spec":{"f:replicas":{}}}`)}, false},
		{"not ignored, scaled by someone: healed", nil, []Controller{},
			[]metav1.ManagedFieldsEntry{own, entry("kubectl", "Update", "scale", `{"f:spec":{"f:replicas":{}}}`)}, true},
		{"the HPA scaled it: left to it", nil, DefaultControllers(),
			[]metav1.ManagedFieldsEntry{own, entry("kube-controller-manager", "Update", "scale", `{"f:spec":{"f:replicas":{}}}`)}, false},
		{"kube-controller-manager on the object itself: not the HPA", nil, DefaultControllers(),
			[]metav1.ManagedFieldsEntry{own, entry("kube-controller-manager", "Update", "", `{"f:spec":{"f:replicas":{}}}`)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Applier{o: Options{FieldManager: provenance.FieldManager, Ignore: tt.ignore, Controllers: tt.controllers}}
			u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
				"spec": map[string]any{"replicas": int64(2), "paused": false}}}
			it := &item{Object: Object{Object: u}, gvk: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}}
			a.leaveToOthers(it, tt.managed)
			_, got := u.Object["spec"].(map[string]any)["replicas"]
			if got != tt.want {
				t.Errorf("replicas applied = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(u.Object["spec"].(map[string]any)["paused"], false) {
				t.Error("a field nobody else owns was removed")
			}
		})
	}
}
