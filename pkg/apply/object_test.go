package apply

import (
	"errors"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func obj(apiVersion, kind, ns, name string) Object {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind,
		"metadata": map[string]any{"name": name}}}
	if ns != "" {
		u.SetNamespace(ns)
	}
	return Object{Object: u, File: kind + ".yaml"}
}

func TestPartition(t *testing.T) {
	a := &Applier{}
	res := &Result{}
	first, rest := a.partition([]Object{
		obj("v1", "ConfigMap", "prod", "a"),
		obj("v1", "Namespace", "", "prod"),
		obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com"),
		obj("v1", "ConfigMap", "prod", "a"),
		obj("v1", "ConfigMap", "prod", ""),
		obj("", "ConfigMap", "prod", "b"),
	}, res)
	if len(first) != 2 || len(rest) != 1 {
		t.Fatalf("first=%d rest=%d, want 2 and 1", len(first), len(rest))
	}
	if len(res.Failed) != 3 {
		t.Fatalf("failed = %v, want 3", res.Failed)
	}
	if !errors.Is(res.Failed[0], ErrDuplicate) || !errors.Is(res.Failed[1], ErrInvalidObject) {
		t.Errorf("failed = %v", res.Failed)
	}
	want := "ConfigMap prod/a (declared in ConfigMap.yaml): object declared twice: also declared in ConfigMap.yaml"
	if got := res.Failed[0].Error(); got != want {
		t.Errorf("error = %q\nwant   %q", got, want)
	}
}

func TestRefString(t *testing.T) {
	tests := []struct {
		ref  Ref
		want string
	}{
		{Ref{Group: "apps", Kind: "Deployment", Namespace: "prod", Name: "web"}, "Deployment.apps prod/web"},
		{Ref{Kind: "Namespace", Name: "prod"}, "Namespace prod"},
	}
	for _, tt := range tests {
		if got := tt.ref.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
