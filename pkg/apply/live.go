package apply

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gitward/gitward/pkg/provenance"
)

// listPageSize bounds one page of a live list.
const listPageSize = 1000

type liveKey struct{ namespace, name string }

// liveMeta is what Apply keeps of a live object: no content, only what the
// digest comparison and the drift check need.
type liveMeta struct {
	uid     types.UID
	digest  string
	managed []metav1.ManagedFieldsEntry // entries outside the status subresource
}

// listLive lists, metadata-only, the live objects of gvr that carry this
// source's label: cluster-wide, or per namespace when Options.Namespaces is
// set and the resource is namespaced.
func (a *Applier) listLive(ctx context.Context, gvr schema.GroupVersionResource, m *meta.RESTMapping, namespaces []string) (map[liveKey]*liveMeta, error) {
	idx := map[liveKey]*liveMeta{}
	scopes := []string{metav1.NamespaceAll}
	if len(a.o.Namespaces) > 0 && m.Scope.Name() == meta.RESTScopeNameNamespace {
		scopes = namespaces
	}
	for _, ns := range scopes {
		if err := a.listInto(ctx, gvr, ns, idx); err != nil {
			return nil, err
		}
	}
	return idx, nil
}

func (a *Applier) listInto(ctx context.Context, gvr schema.GroupVersionResource, ns string, idx map[liveKey]*liveMeta) error {
	opts := metav1.ListOptions{LabelSelector: provenance.SourceSelector(a.o.Source), Limit: listPageSize}
	for {
		list, err := a.o.Metadata.Resource(gvr).Namespace(ns).List(ctx, opts)
		if err != nil {
			return fmt.Errorf("list %s in %q: %w", gvr, ns, err)
		}
		for i := range list.Items {
			o := &list.Items[i]
			idx[liveKey{o.Namespace, o.Name}] = &liveMeta{
				uid:     o.UID,
				digest:  o.Annotations[provenance.AnnotationDigest],
				managed: specManagers(o.ManagedFields),
			}
		}
		if list.Continue == "" {
			return nil
		}
		opts.Continue = list.Continue
	}
}

// specManagers keeps the managed-fields entries outside the status
// subresource.
func specManagers(entries []metav1.ManagedFieldsEntry) []metav1.ManagedFieldsEntry {
	var out []metav1.ManagedFieldsEntry
	for _, e := range entries {
		if e.Subresource == "status" {
			continue
		}
		out = append(out, e)
	}
	return out
}
