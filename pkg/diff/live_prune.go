package diff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

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
	lists, err := o.Discovery.ServerPreferredResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, fmt.Errorf("discover resources for pruning: %w", err)
	}
	type res struct {
		gvr  schema.GroupVersionResource
		kind string
	}
	var resources []res
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !hasVerbs(r.Verbs, "list", "delete") {
				continue
			}
			if skipSuperseded(gv.WithResource(r.Name), lists) {
				continue
			}
			resources = append(resources, res{gvr: gv.WithResource(r.Name), kind: r.Kind})
		}
	}
	declared := make(map[Key]bool, len(items))
	for _, it := range items {
		declared[it.key] = true
	}
	var (
		mu      sync.Mutex
		errs    []error
		targets []pruneTarget
	)
	forEach(ctx, len(resources), o.Concurrency, func(i int) {
		r := resources[i]
		l, err := o.Metadata.Resource(r.gvr).List(ctx, metav1.ListOptions{LabelSelector: provenance.SourceSelector(o.Source)})
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, fmt.Errorf("list %s labelled %s: %w", r.gvr.GroupResource(), provenance.SourceSelector(o.Source), err))
			return
		}
		for _, m := range l.Items {
			k := Key{Group: r.gvr.Group, Kind: r.kind, Namespace: m.Namespace, Name: m.Name}
			if declared[k] || (guarded(k) && m.Annotations[provenance.AnnotationPruneOptIn] != provenance.PruneAllow) {
				continue
			}
			targets = append(targets, pruneTarget{gvr: r.gvr, kind: r.kind, namespace: m.Namespace, name: m.Name,
				apiVersion: r.gvr.GroupVersion().String()})
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
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

func hasVerbs(verbs metav1.Verbs, want ...string) bool {
	for _, w := range want {
		found := false
		for _, v := range verbs {
			if v == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
