package diff

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// item is one desired object on its way through Live.
type item struct {
	key        Key
	desired    *unstructured.Unstructured // namespace defaulted (a copy when changed)
	gvr        schema.GroupVersionResource
	namespaced bool
	// pending: its kind is not served yet, a CRD in the same set defines it.
	pending bool
	live    *unstructured.Unstructured
}

// plan maps each desired object to its resource, defaults its namespace and
// refuses invalid or duplicate objects.
func plan(desired []*unstructured.Unstructured, o *LiveOptions) ([]*item, error) {
	crds := definedKinds(desired)
	seen := make(map[Key]bool, len(desired))
	items := make([]*item, 0, len(desired))
	for _, u := range desired {
		if u == nil {
			continue
		}
		gvk := u.GroupVersionKind()
		if gvk.Kind == "" || gvk.Version == "" || u.GetName() == "" {
			return nil, fmt.Errorf("%w: %s %q needs apiVersion, kind and metadata.name", ErrInvalidObject, u.GetAPIVersion()+"/"+gvk.Kind, u.GetName())
		}
		it := &item{desired: u}
		m, err := o.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		switch {
		case err == nil:
			it.gvr = m.Resource
			it.namespaced = m.Scope.Name() == meta.RESTScopeNameNamespace
		case meta.IsNoMatchError(err) && crds[gvk.GroupKind()]:
			it.pending = true
			it.namespaced = u.GetNamespace() != ""
		default:
			return nil, fmt.Errorf("%s %s: %w (%v)", gvk.GroupKind(), u.GetName(), ErrUnknownKind, err)
		}
		if it.namespaced && u.GetNamespace() == "" {
			it.desired = u.DeepCopy()
			it.desired.SetNamespace(o.DefaultNamespace)
		}
		if !it.namespaced && !it.pending && u.GetNamespace() != "" {
			it.desired = u.DeepCopy()
			it.desired.SetNamespace("")
		}
		it.key = KeyOf(it.desired)
		if seen[it.key] {
			return nil, fmt.Errorf("%w: %s", ErrDuplicate, it.key)
		}
		seen[it.key] = true
		items = append(items, it)
	}
	return items, nil
}

// definedKinds returns the kinds that CRDs among objs define.
func definedKinds(objs []*unstructured.Unstructured) map[schema.GroupKind]bool {
	out := map[schema.GroupKind]bool{}
	for _, u := range objs {
		if u == nil || u.GetKind() != "CustomResourceDefinition" {
			continue
		}
		group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
		out[schema.GroupKind{Group: group, Kind: kind}] = true
	}
	return out
}

// forEach runs fn(i) for i in [0,n) with at most conc in flight and stops
// starting new calls when ctx is done.
func forEach(ctx context.Context, n, conc int, fn func(i int)) {
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}
