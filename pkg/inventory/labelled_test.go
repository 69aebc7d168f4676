package inventory

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestIsSuperseded(t *testing.T) {
	slices := &metav1.APIResourceList{GroupVersion: "discovery.k8s.io/v1",
		APIResources: []metav1.APIResource{{Name: "endpointslices"}}}
	ep := schema.GroupVersionResource{Version: "v1", Resource: "endpoints"}
	cm := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	tests := []struct {
		name  string
		gvr   schema.GroupVersionResource
		lists []*metav1.APIResourceList
		want  bool
	}{
		{"endpoints with slices served", ep, []*metav1.APIResourceList{slices}, true},
		{"endpoints without slices", ep, nil, false},
		{"configmaps", cm, []*metav1.APIResourceList{slices}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isSuperseded(tt.gvr, tt.lists); got != tt.want {
				t.Errorf("isSuperseded(%v) = %v, want %v", tt.gvr, got, tt.want)
			}
		})
	}
}
