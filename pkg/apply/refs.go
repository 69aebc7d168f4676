package apply

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Resource is a resource Apply listed or wrote.
type Resource struct {
	GVR        schema.GroupVersionResource
	Namespaced bool
}

// Refs returns the Ref each object will have once applied: namespaced
// objects without a namespace get the default namespace, cluster-scoped ones
// lose theirs. Objects of kinds the mapper does not know yet (a CRD in the
// same set) keep their namespace as written. The caller uses it to record an
// inventory before applying.
func (a *Applier) Refs(objs []Object) []Ref {
	out := make([]Ref, 0, len(objs))
	for _, o := range objs {
		if o.Object == nil || o.Object.GetName() == "" || o.Object.GetKind() == "" {
			continue
		}
		ref := RefOf(o.Object)
		gvk := o.Object.GroupVersionKind()
		if m, err := a.restMapping(gvk.GroupKind(), gvk.Version); err == nil {
			if m.Scope.Name() != meta.RESTScopeNameNamespace {
				ref.Namespace = ""
			} else if ref.Namespace == "" {
				ref.Namespace = a.o.DefaultNamespace
			}
		}
		out = append(out, ref)
	}
	return out
}
