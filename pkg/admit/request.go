package admit

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Operation is the admission operation of a request.
type Operation string

// The admission operations.
const (
	Create  Operation = "CREATE"
	Update  Operation = "UPDATE"
	Delete  Operation = "DELETE"
	Connect Operation = "CONNECT"
)

// UserInfo is who sends a request, as the API server authenticated them.
type UserInfo struct {
	Username string
	Groups   []string
}

// Request is what the decision needs of an AdmissionRequest.
type Request struct {
	Operation Operation
	// Kind is the kind of Object (for a scale subresource: autoscaling/v1 Scale).
	Kind schema.GroupVersionKind
	// Resource is the resource the request is for (deployments, not Scale).
	Resource    schema.GroupVersionResource
	SubResource string
	Namespace   string
	Name        string
	User        UserInfo
	// Object is the object after the change (nil for DELETE).
	Object *unstructured.Unstructured
	// OldObject is the live object before the change (UPDATE and DELETE).
	// Object and OldObject may share maps and lists (what did not change is
	// decoded once): the decision treats every object as read-only.
	OldObject *unstructured.Unstructured
	// Parent is the live object of Resource for a subresource request (the
	// Deployment of a deployments/scale request). The caller reads it.
	Parent *unstructured.Unstructured
	// ParentKind is the kind of Parent (apps/v1 Deployment).
	ParentKind schema.GroupVersionKind
	DryRun     bool
	// FieldManager is the field manager the request names in its options
	// (CreateOptions, UpdateOptions or PatchOptions); empty when it names none.
	FieldManager string
	// Webhook is the name of the webhook configuration entry that sent the
	// request (each is served on its own path); empty when unknown.
	Webhook string
}

// Key identifies an object in Git's rendering: group, kind, namespace and
// name. The version is left out on purpose: a rendering declares an object
// once, whatever version the request uses.
type Key struct {
	Group     string
	Kind      string
	Namespace string
	Name      string
}

// KeyOf returns the key of u.
func KeyOf(u *unstructured.Unstructured) Key {
	gvk := u.GroupVersionKind()
	return Key{Group: gvk.Group, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

// String returns "kind/name" with the kind in lowercase, as kubectl names
// objects, plus " in namespace ns" for a namespaced object.
func (k Key) String() string {
	s := lower(k.Kind) + "/" + k.Name
	if k.Namespace != "" {
		s += " in namespace " + k.Namespace
	}
	return s
}

// lower lowercases ASCII letters.
func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
