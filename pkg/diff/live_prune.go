package diff

import (
	"context"
	"errors"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/provenance"
)

// pruneTarget is a live object labelled for the source that Git no longer
// declares.
type pruneTarget struct {
	gvr        schema.GroupVersionResource
	kind       string
	namespace  string
	name       string
	apiVersion string
}

// prunable returns, as deletions, the live objects of every listable kind
// that carry the source label and are not among the items. Namespaces and
// CustomResourceDefinitions count only when the live object opts in to
// pruning, as the agent's pruner decides.
func prunable(ctx context.Context, items []*item, o *LiveOptions) (*Result, error) {
	labelled, err := inventory.ListLabelled(ctx, inventory.ListOptions{Metadata: o.Metadata, Discovery: o.Discovery,
		Source: o.Source, Concurrency: o.Concurrency})
	if err != nil {
		return nil, fmt.Errorf("find the objects to prune: %w", err)
	}
	declared := make(map[Key]bool, len(items))
	for _, it := range items {
		declared[it.key] = true
	}
	var targets []pruneTarget
	for _, l := range labelled {
		k := Key{Group: l.Ref.Group, Kind: l.Ref.Kind, Namespace: l.Ref.Namespace, Name: l.Ref.Name}
		if declared[k] || (guarded(k) && l.Annotations[provenance.AnnotationPruneOptIn] != provenance.PruneAllow) {
			continue
		}
		targets = append(targets, pruneTarget{gvr: l.Resource, kind: l.Ref.Kind, namespace: l.Ref.Namespace, name: l.Ref.Name,
			apiVersion: l.Resource.GroupVersion().String()})
	}
	return pruneDiffs(ctx, targets, o)
}

// pruneDiffs fetches each prune target (there are few) for its diff.
func pruneDiffs(ctx context.Context, targets []pruneTarget, o *LiveOptions) (*Result, error) {
	out := &Result{}
	var (
		mu   sync.Mutex
		errs []error
	)
	forEach(ctx, len(targets), o.Concurrency, func(i int) {
		t := targets[i]
		u, err := o.Dynamic.Resource(t.gvr).Namespace(t.namespace).Get(ctx, t.name, metav1.GetOptions{})
		var d ObjectDiff
		if err == nil {
			if u.GetKind() == "" {
				u.SetAPIVersion(t.apiVersion)
				u.SetKind(t.kind)
			}
			d, _, err = compare(KeyOf(u), u, nil, &o.Diff)
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s/%s to prune: %w", t.kind, t.namespace, t.name, err))
			return
		}
		out.Objects = append(out.Objects, d)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out.sort()
	return out, nil
}

// guarded: kinds never pruned without the opt-in annotation.
func guarded(k Key) bool {
	return (k.Group == "" && k.Kind == "Namespace") ||
		(k.Group == "apiextensions.k8s.io" && k.Kind == "CustomResourceDefinition")
}
