package apply

import (
	"encoding/json"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

func deployment() map[string]any {
	return map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "namespace": "prod",
			"annotations": map[string]any{"gitward.dev/digest": "x"}},
		"spec": map[string]any{
			"replicas": int64(2),
			"template": map[string]any{"spec": map[string]any{
				"containers": []any{map[string]any{"name": "web", "image": "nginx",
					"ports": []any{map[string]any{"containerPort": int64(80)}}}},
			}},
		},
	}
}

func TestIntersects(t *testing.T) {
	tests := []struct {
		name   string
		fields string
		want   bool
	}{
		{"declared leaf", `{"f:spec":{"f:replicas":{}}}`, true},
		{"undeclared annotation", `{"f:metadata":{"f:annotations":{"f:deployment.kubernetes.io/revision":{}}}}`, false},
		{"declared container field", `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{"f:image":{}}}}}}}`, true},
		{"other container", `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"sidecar\"}":{"f:image":{}}}}}}}`, false},
		{"undeclared field of declared container", `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{"f:resources":{}}}}}}}`, false},
		{"port with defaulted protocol", `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{}}}}}}}}}`, true},
		{"status only", `{"f:status":{"f:replicas":{}}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f map[string]any
			if err := json.Unmarshal([]byte(tt.fields), &f); err != nil {
				t.Fatal(err)
			}
			if got := intersects(f, deployment()); got != tt.want {
				t.Errorf("intersects = %v, want %v", got, tt.want)
			}
		})
	}
}

func entry(manager string, op metav1.ManagedFieldsOperationType, fields string) metav1.ManagedFieldsEntry {
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: op, APIVersion: "apps/v1",
		FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(fields)}
}

func TestIsCandidate(t *testing.T) {
	own := entry("gitward", metav1.ManagedFieldsOperationApply, `{"f:spec":{"f:replicas":{}}}`)
	ownShrunk := entry("gitward", metav1.ManagedFieldsOperationApply, `{"f:spec":{}}`)
	kcm := entry("kube-controller-manager", metav1.ManagedFieldsOperationUpdate,
		`{"f:metadata":{"f:annotations":{"f:deployment.kubernetes.io/revision":{}}}}`)
	edit := entry("kubectl-edit", metav1.ManagedFieldsOperationUpdate, `{"f:spec":{"f:replicas":{}}}`)
	tests := []struct {
		name   string
		memo   []metav1.ManagedFieldsEntry // nil: not known
		live   []metav1.ManagedFieldsEntry
		expect bool
	}{
		{"only gitward", nil, []metav1.ManagedFieldsEntry{own}, false},
		{"controller annotation", nil, []metav1.ManagedFieldsEntry{own, kcm}, false},
		{"kubectl edit of a declared field", nil, []metav1.ManagedFieldsEntry{own, edit}, true},
		{"known clean, unchanged", []metav1.ManagedFieldsEntry{own, edit}, []metav1.ManagedFieldsEntry{own, edit}, false},
		{"gitward lost a field", []metav1.ManagedFieldsEntry{own}, []metav1.ManagedFieldsEntry{ownShrunk}, true},
		{"known clean, then edited", []metav1.ManagedFieldsEntry{own}, []metav1.ManagedFieldsEntry{own, edit}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Applier{o: Options{FieldManager: "gitward"}, clean: map[types.UID]fingerprint{}}
			if tt.memo != nil {
				a.clean["u1"] = a.fingerprintOf(tt.memo)
			}
			it := &item{Object: Object{Object: &unstructured.Unstructured{Object: deployment()}}}
			if got := a.isCandidate(it, &liveMeta{uid: "u1", managed: tt.live}); got != tt.expect {
				t.Errorf("isCandidate = %v, want %v", got, tt.expect)
			}
		})
	}
}

func TestQuoted(t *testing.T) {
	if got := quoted(`conflict with "kubectl-edit" using apps/v1`); got != "kubectl-edit" {
		t.Errorf("quoted = %q", got)
	}
	if got := quoted("no quotes"); got != "" {
		t.Errorf("quoted = %q", got)
	}
}
