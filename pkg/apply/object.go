package apply

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Object is one rendered object and the file that declared it.
type Object struct {
	// Object is the rendered object. Apply stamps the contract on it in place.
	Object *unstructured.Unstructured
	// File is the path, relative to the repository root, of the file that
	// declared the object; it is quoted in errors. May be empty.
	File string
}

// Ref identifies an object independently of its API version.
type Ref struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// RefOf returns the Ref of u.
func RefOf(u *unstructured.Unstructured) Ref {
	gvk := u.GroupVersionKind()
	return Ref{Group: gvk.Group, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

// GroupKind returns the group and kind of r.
func (r Ref) GroupKind() schema.GroupKind { return schema.GroupKind{Group: r.Group, Kind: r.Kind} }

// String names r like provenance.ObjectRef: "Deployment.apps prod/web",
// "Namespace prod".
func (r Ref) String() string {
	kind := r.Kind
	if r.Group != "" {
		kind += "." + r.Group
	}
	if r.Namespace != "" {
		return kind + " " + r.Namespace + "/" + r.Name
	}
	return kind + " " + r.Name
}

// Sentinel errors wrapped by ObjectError.Err.
var (
	// ErrUnknownKind: the API server serves no resource for the object's
	// apiVersion and kind (a missing CRD, a typo in apiVersion).
	ErrUnknownKind = errors.New("the cluster does not serve this kind")
	// ErrInvalidObject: the object lacks a kind, an apiVersion or a name.
	ErrInvalidObject = errors.New("invalid object")
	// ErrDuplicate: two rendered objects have the same kind, namespace and name.
	ErrDuplicate = errors.New("object declared twice")
	// ErrCRDNotEstablished: an applied CRD did not become Established in time.
	ErrCRDNotEstablished = errors.New("CustomResourceDefinition not established")
	// ErrConflict: the apply conflicts with another field manager and Force
	// is off.
	ErrConflict = errors.New("field manager conflict")
)

// ObjectError is the failure of one object.
type ObjectError struct {
	Ref  Ref
	File string
	Err  error
}

func (e *ObjectError) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s (declared in %s): %v", e.Ref, e.File, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Ref, e.Err)
}

func (e *ObjectError) Unwrap() error { return e.Err }

// isFirstPhase reports whether an object of this group and kind is applied
// before the others: Namespaces and CustomResourceDefinitions.
func isFirstPhase(gk schema.GroupKind) bool {
	return gk == gkNamespace || gk == gkCRD
}

var (
	gkNamespace = schema.GroupKind{Kind: "Namespace"}
	gkCRD       = schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}
)
