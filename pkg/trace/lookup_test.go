package trace

import (
	"errors"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic/fake"
)

func TestLookup(t *testing.T) {
	web := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "namespace": "shop"},
	}}
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "shop"},
	}}
	dyn := fake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		{Group: "apps", Version: "v1", Resource: "deployments"}: "DeploymentList",
		{Version: "v1", Resource: "namespaces"}:                 "NamespaceList",
	}, web, ns)
	tests := []struct {
		name, arg, ns string
		wantKind      string
		wantErr       error
	}{
		{"resource", "deployment/web", "shop", "Deployment", nil},
		{"plural with group", "deployments.apps/web", "shop", "Deployment", nil},
		{"kind", "Deployment/web", "shop", "Deployment", nil},
		{"kind with group", "Deployment.apps/web", "shop", "Deployment", nil},
		{"cluster-scoped ignores the namespace", "namespace/shop", "elsewhere", "Namespace", nil},
		{"no slash", "deployment", "shop", "", ErrBadArgument},
		{"two slashes", "deployment/web/x", "shop", "", ErrBadArgument},
		{"unknown kind", "widget/web", "shop", "", ErrUnknownKind},
		{"missing object", "deployment/api", "shop", "", ErrNotFound},
		{"other namespace", "deployment/web", "prod", "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Lookup(t.Context(), LookupOptions{Dynamic: dyn, Mapper: testMapper(), Arg: tt.arg, Namespace: tt.ns})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Lookup(%q) error = %v, want %v", tt.arg, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.GetKind() != tt.wantKind {
				t.Errorf("kind %q, want %q", u.GetKind(), tt.wantKind)
			}
		})
	}
}
