package apply

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Entry is what a caller keeps of an applied object instead of the object:
// its identity, resource version, digest, file and declared fields. Apply
// returns one per object it prepared (Result.Entries); InSync takes them
// back to check a rendering without rendering it again.
type Entry struct {
	Ref     Ref
	Version string // the API version of the rendering
	Digest  string // the digest stamped on the object
	File    string
	Fields  FieldSet
}

// entryOf summarises a prepared item.
func entryOf(it *item) Entry {
	return Entry{Ref: it.ref, Version: it.gvk.Version, Digest: it.digest, File: it.File,
		Fields: fieldSetOf(it.Object.Object.Object)}
}

// InSync reports whether the live objects are exactly what entries (the
// Result.Entries of an earlier Apply of the same rendering) describe: every
// object exists with the same digest, and no other field manager owns a
// field it declares since the object was last known clean. It writes
// nothing and reads only one metadata-only list per resource.
//
// When it answers true, the returned Result is what Apply would have
// returned (nothing applied, every object unchanged). When it answers false
// the caller renders and calls Apply; the Result is then nil.
func (a *Applier) InSync(ctx context.Context, entries []Entry) (*Result, bool, error) {
	type group struct {
		mapping *meta.RESTMapping
		entries []*Entry
	}
	byGVR := map[schema.GroupVersionResource]*group{}
	for i := range entries {
		e := &entries[i]
		m, err := a.restMapping(e.Ref.GroupKind(), e.Version)
		if err != nil {
			return nil, false, nil //nolint:nilerr // the kind is gone: Apply reports it
		}
		g := byGVR[m.Resource]
		if g == nil {
			g = &group{mapping: m}
			byGVR[m.Resource] = g
		}
		g.entries = append(g.entries, e)
	}
	res := &Result{Entries: entries}
	for gvr, g := range byGVR {
		namespaces := map[string]bool{}
		var nsList []string
		for _, e := range g.entries {
			if !namespaces[e.Ref.Namespace] {
				namespaces[e.Ref.Namespace] = true
				nsList = append(nsList, e.Ref.Namespace)
			}
		}
		idx, err := a.listLive(ctx, gvr, g.mapping, nsList)
		if err != nil {
			if ctx.Err() != nil {
				return nil, false, ctx.Err()
			}
			return nil, false, fmt.Errorf("apply: %w", err)
		}
		for _, e := range g.entries {
			lm, found := idx[liveKey{e.Ref.Namespace, e.Ref.Name}]
			if !found || lm.digest != e.Digest || !a.cleanByFields(e.Fields, lm) {
				return nil, false, nil
			}
		}
		res.Resources = append(res.Resources, Resource{GVR: gvr,
			Namespaced: g.mapping.Scope.Name() == meta.RESTScopeNameNamespace})
	}
	res.Declared = make([]Ref, len(entries))
	for i, e := range entries {
		res.Declared[i] = e.Ref
	}
	res.Unchanged = len(entries)
	res.sort()
	return res, true, nil
}

// cleanByFields is isCandidate's negation without the object: it decides
// with the object's FieldSet, and remembers a clean answer.
func (a *Applier) cleanByFields(fields FieldSet, lm *liveMeta) bool {
	fp := a.fingerprintOf(lm.managed)
	a.mu.Lock()
	memo, known := a.clean[lm.uid]
	a.mu.Unlock()
	if known && memo.own != fp.own {
		return false
	}
	if known && memo.others == fp.others {
		return true
	}
	for _, e := range lm.managed {
		if e.Manager == a.o.FieldManager && e.Operation == metav1.ManagedFieldsOperationApply {
			continue
		}
		if e.FieldsV1 != nil && fields.owns(e.FieldsV1.GetRawBytes()) {
			return false
		}
	}
	a.markClean(lm.uid, fp)
	return true
}
