package apply

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gitward/gitward/pkg/provenance"
)

// fingerprint summarises the managed fields of an object outside status:
// own hashes gitward's entry, others every other manager's entries.
type fingerprint struct{ own, others uint64 }

func (a *Applier) fingerprintOf(entries []metav1.ManagedFieldsEntry) fingerprint {
	own, others := fnv.New64a(), fnv.New64a()
	for _, e := range entries {
		h := others
		if e.Manager == a.o.FieldManager && e.Operation == metav1.ManagedFieldsOperationApply {
			h = own
		}
		h.Write([]byte(e.Manager + "\x00" + string(e.Operation) + "\x00" + e.APIVersion + "\x00" + e.Subresource + "\x00"))
		if e.FieldsV1 != nil {
			h.Write(e.FieldsV1.GetRawBytes())
		}
		h.Write([]byte{0})
	}
	return fingerprint{own: own.Sum64(), others: others.Sum64()}
}

// isCandidate reports whether an object whose digest is current may have
// drifted: gitward's own managed fields changed since they were known clean,
// or another manager owns a field Git declares and the other managers'
// entries changed since the object was known clean.
func (a *Applier) isCandidate(it *item, lm *liveMeta) bool {
	fp := a.fingerprintOf(lm.managed)
	a.mu.Lock()
	memo, known := a.clean[lm.uid]
	a.mu.Unlock()
	if known && memo.own != fp.own {
		return true
	}
	if known && memo.others == fp.others {
		return false
	}
	for _, e := range lm.managed {
		if e.Manager == a.o.FieldManager && e.Operation == metav1.ManagedFieldsOperationApply {
			continue
		}
		if e.FieldsV1 == nil {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal(e.FieldsV1.GetRawBytes(), &fields); err != nil {
			return true
		}
		if intersects(fields, it.Object.Object.Object) {
			return true
		}
	}
	// Clean as long as the object (same digest) and its managed fields stay
	// as they are: remember it, so that InSync can tell without the object.
	a.markClean(lm.uid, fp)
	return false
}

// markClean remembers the managed fields of an object known clean.
func (a *Applier) markClean(uid types.UID, fp fingerprint) {
	a.mu.Lock()
	a.clean[uid] = fp
	a.mu.Unlock()
}

// checkDrift dry-runs the apply of a candidate without force. A conflict,
// or a result that differs from the live object, is drift; in ModeEnforce
// the object is then re-applied. A clean candidate is remembered.
func (a *Applier) checkDrift(ctx context.Context, it *item, lm *liveMeta) (*Drift, error) {
	ri := a.resource(it)
	dry, err := ri.Apply(ctx, it.ref.Name, it.Object.Object, metav1.ApplyOptions{
		FieldManager: a.o.FieldManager,
		DryRun:       []string{metav1.DryRunAll},
	})
	var d *Drift
	if managers, fields, ok := conflictOf(err); ok {
		d = &Drift{Ref: it.ref, File: it.File, Managers: managers, Fields: fields}
	} else if err != nil {
		return nil, err
	} else {
		live, err := ri.Get(ctx, it.ref.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		dd, err1 := provenance.Digest(dry.Object)
		ld, err2 := provenance.Digest(live.Object)
		if err1 == nil && err2 == nil && dd == ld {
			a.mu.Lock()
			a.clean[lm.uid] = a.fingerprintOf(specManagers(live.GetManagedFields()))
			a.mu.Unlock()
			return nil, nil
		}
		d = &Drift{Ref: it.ref, File: it.File, Managers: otherManagers(lm.managed, a.o.FieldManager)}
	}
	if a.o.Mode != ModeEnforce {
		return d, nil
	}
	if _, err := a.apply(ctx, it); err != nil {
		return d, err
	}
	d.Corrected = true
	return d, nil
}

// otherManagers lists the managers besides gitward, sorted.
func otherManagers(entries []metav1.ManagedFieldsEntry, self string) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		if e.Manager != self && !seen[e.Manager] {
			seen[e.Manager] = true
			out = append(out, e.Manager)
		}
	}
	sort.Strings(out)
	return out
}

// intersects reports whether a FieldsV1 set owns a field the object
// declares. It follows "f:" keys through maps exactly; for list elements
// ("k:", "v:", "i:") it matches keyed elements by their key fields and is
// otherwise conservative (it answers true when the object has the list).
func intersects(fields map[string]any, obj any) bool {
	for k, sub := range fields {
		subFields, _ := sub.(map[string]any)
		switch {
		case k == ".":
			return true
		case strings.HasPrefix(k, "f:"):
			m, ok := obj.(map[string]any)
			if !ok {
				continue
			}
			v, ok := m[k[2:]]
			if !ok {
				continue
			}
			if len(subFields) == 0 || intersects(subFields, v) {
				return true
			}
		case strings.HasPrefix(k, "k:"):
			list, ok := obj.([]any)
			if !ok {
				continue
			}
			var key map[string]any
			if err := json.Unmarshal([]byte(k[2:]), &key); err != nil {
				return true
			}
			for _, el := range list {
				if matchesKey(el, key) && (len(subFields) == 0 || intersects(subFields, el)) {
					return true
				}
			}
		case strings.HasPrefix(k, "i:"):
			list, ok := obj.([]any)
			if !ok {
				continue
			}
			i, err := strconv.Atoi(k[2:])
			if err != nil || i < len(list) {
				return true
			}
		case strings.HasPrefix(k, "v:"):
			if list, ok := obj.([]any); ok && len(list) > 0 {
				return true
			}
		}
	}
	return false
}

// matchesKey reports whether the list element el agrees with every key
// field it sets.
func matchesKey(el any, key map[string]any) bool {
	m, ok := el.(map[string]any)
	if !ok {
		return false
	}
	for k, want := range key {
		got, ok := m[k]
		if !ok {
			continue // a key field the server defaults (protocol: TCP)
		}
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(gb) != string(wb) {
			return false
		}
	}
	return true
}
