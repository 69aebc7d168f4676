package apply

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/provenance"
)

// runPhase applies one phase: prepare, read the live digests with one list
// per resource, then apply what changed and check drift candidates with a
// bounded pool of workers.
func (a *Applier) runPhase(ctx context.Context, commit provenance.CommitID, items []*item, res *Result) error {
	if len(items) == 0 {
		return nil
	}
	byGVR := map[schema.GroupVersionResource][]*item{}
	// Per phase: the mapper is reset after the first phase's CRDs.
	mappings := map[schema.GroupVersionKind]*meta.RESTMapping{}
	for _, it := range items {
		ok := a.prepare(it, commit, res, mappings)
		res.Declared = append(res.Declared, it.ref)
		if ok {
			byGVR[it.mapping.Resource] = append(byGVR[it.mapping.Resource], it)
			res.Entries = append(res.Entries, entryOf(it))
		}
	}
	var toApply, candidates []*item
	lives := map[*item]*liveMeta{}
	changed := map[*item]bool{}
	// absent: the list answered and the object was not among this source's.
	absent := map[*item]bool{}
	for gvr, its := range byGVR {
		res.Resources = append(res.Resources, Resource{GVR: gvr,
			Namespaced: its[0].mapping.Scope.Name() == meta.RESTScopeNameNamespace})
		idx, err := a.listLive(ctx, gvr, its[0].mapping, namespacesOf(its))
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		for _, it := range its {
			lm, found := idx[liveKey{it.ref.Namespace, it.ref.Name}]
			absent[it] = err == nil && !found
			if found {
				a.leaveToOthers(it, lm.managed)
			}
			switch {
			case err != nil || !found || lm.digest != it.digest:
				changed[it] = true
			case a.isCandidate(it, lm):
				lives[it] = lm
				candidates = append(candidates, it)
			default:
				res.Unchanged++
			}
		}
	}
	for _, it := range items { // in Git's order, then by kind
		if changed[it] {
			toApply = append(toApply, it)
		}
	}
	byKindOrder(toApply)
	if a.o.Mode == ModeDetect {
		for _, it := range toApply {
			res.Pending = append(res.Pending, it.ref)
		}
		toApply = nil
	}
	var mu sync.Mutex
	a.forEach(ctx, toApply, func(it *item) {
		out, err := a.apply(ctx, it)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			a.fail(res, it, err)
			return
		}
		res.Applied = append(res.Applied, it.ref)
		if absent[it] {
			if before := otherManagers(specManagers(out.ManagedFields), a.o.FieldManager); len(before) > 0 {
				res.Adopted = append(res.Adopted, Adoption{Ref: it.ref, File: it.File, Managers: before,
					APIVersion: it.Object.Object.GetAPIVersion(), UID: out.UID})
			}
		}
	})
	a.forEach(ctx, candidates, func(it *item) {
		d, err := a.checkDrift(ctx, it, lives[it])
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			a.fail(res, it, err)
		case d == nil:
			res.Unchanged++
		default:
			res.Drifted = append(res.Drifted, *d)
			if d.Corrected {
				res.Applied = append(res.Applied, it.ref)
			}
		}
	})
	return ctx.Err()
}

// forEach runs fn on every item with at most Options.Concurrency at once and
// returns when all are done. Items not started when ctx ends are skipped.
func (a *Applier) forEach(ctx context.Context, items []*item, fn func(*item)) {
	if len(items) == 0 {
		return
	}
	sem := make(chan struct{}, a.o.Concurrency)
	var wg sync.WaitGroup
	for _, it := range items {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case sem <- struct{}{}:
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(it)
		}()
	}
	wg.Wait()
}

// namespacesOf lists the distinct namespaces of items.
func namespacesOf(items []*item) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if ns := it.ref.Namespace; !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	return out
}
