package admit

import (
	"bytes"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Lazy is a request's object and oldObject as JSON, so that the decision
// reads only what it needs of them. With Lazy set, Request.Object and
// OldObject hold only apiVersion, kind and metadata (without managedFields),
// and the rules compare the rest with Git on the JSON itself: Git's declared
// fields against the object, and object against oldObject where their bytes
// differ. When the JSON alone does not show that the request is what Git
// says (a difference to report, a key with escapes), the rules call Decode
// and decide on the whole objects, so the decision is the same either way.
//
// Object and OldObject must be valid JSON objects (or empty for an absent
// one) and must not change while Decide runs. Lazy is ignored, after a
// Decode, for subresource requests.
type Lazy struct {
	Object, OldObject []byte
	// Decode returns both objects decoded whole (nil when absent).
	Decode func() (obj, old *unstructured.Unstructured, err error)
}

// full replaces the review's partial objects with whole ones; from then on
// the rules read maps only.
func (r *review) full() error {
	l := r.lazy
	if l == nil {
		return nil
	}
	r.lazy = nil
	obj, old, err := l.Decode()
	if err != nil {
		return fmt.Errorf("decode the request's objects: %w", err)
	}
	r.obj, r.old = obj, old
	return nil
}

// lazyMatchesDeclared reports whether compareDeclared(git, the request's
// object, ignore) finds nothing, reading the object's JSON. False means a
// difference or not sure; the caller then decodes and compares the maps.
func lazyMatchesDeclared(git map[string]any, raw []byte, ignore ignoreFunc) bool {
	var buf [16]rawMember
	top, ok := rawMembers(raw, buf[:0])
	if !ok || git == nil {
		return false
	}
	stack := make(Path, 0, 16)
	for k, g := range git {
		if skipTopLevel(k) {
			continue
		}
		span, present := lastMember(top, k)
		if !lazyWalk(append(stack, Segment{Key: k}), g, span, present, !noQuantityKeys[k], ignore) {
			return false
		}
	}
	return true
}

// lazyWalk is comparer.walk on the request's JSON: it reports whether Git's
// value g at p matches the span (present says whether the request has the
// member at all).
func lazyWalk(p Path, g any, span []byte, present, quantities bool, ignore ignoreFunc) bool {
	if g == nil || ignore != nil && ignore(p) || contractKey(p) {
		return true
	}
	if len(p) == 2 && p[0].Key == "metadata" && p[1].Key == "managedFields" {
		return false // the whole decode may leave it out: let it decide
	}
	absent := !present || isNull(span)
	if gm, ok := g.(map[string]any); ok && absent {
		for k, v := range gm {
			if !lazyWalk(append(p, Segment{Key: k}), v, nil, false, quantities && !noQuantityKeys[k], ignore) {
				return false
			}
		}
		return true
	}
	if absent {
		return isZero(g)
	}
	switch gv := g.(type) {
	case map[string]any:
		if !isObject(span) {
			return false
		}
		var buf [16]rawMember
		ms, ok := rawMembers(span, buf[:0])
		if !ok {
			return false
		}
		for k, v := range gv {
			s, in := lastMember(ms, k)
			if !lazyWalk(append(p, Segment{Key: k}), v, s, in, quantities && !noQuantityKeys[k], ignore) {
				return false
			}
		}
		return true
	case []any:
		if !isArray(span) {
			return false
		}
		var buf [8][]byte
		els, ok := rawElements(span, buf[:0])
		if !ok || len(els) != len(gv) {
			return false
		}
		for i := range gv {
			if !lazyWalk(append(p, Segment{Index: i, IsIndex: true}), gv[i], els[i], true, quantities, ignore) {
				return false
			}
		}
		return true
	}
	return lazyEqualScalar(g, span, quantities)
}

// lazyEqualScalar is equalScalar against a span, without decoding it in the
// common cases (the same string, the same integer).
func lazyEqualScalar(g any, span []byte, quantities bool) bool {
	if isObject(span) || isArray(span) {
		return false
	}
	switch gv := g.(type) {
	case string:
		if end, plain := stringEnd(span, 0); len(span) > 0 && span[0] == '"' && plain && end == len(span) &&
			string(span[1:len(span)-1]) == gv {
			return true
		}
	case int64:
		if n, ok := rawInt(span); ok {
			return n == gv
		}
	}
	v, ok := rawScalar(span)
	return ok && equalScalar(g, v, quantities)
}

// lazyDiffer is differ on the JSON of both objects: where their bytes
// differ it descends as differ does, and every path at which they may
// differ (a superset of changedPaths) must pass accept.
type lazyDiffer struct {
	r    *review
	slab []rawMember // member lists of the objects being compared, used as a stack
}

// lazyChangesAccepted reports whether every path the request changes is
// accepted by r.acceptedChange, reading the JSON. False means a change that
// is not accepted or not sure.
func lazyChangesAccepted(r *review, oldRaw, newRaw []byte) bool {
	slab := slabs.Get().(*[]rawMember)
	d := lazyDiffer{r: r, slab: (*slab)[:0]}
	ok := d.objects(make(Path, 0, 16), oldRaw, newRaw)
	*slab = d.slab[:0]
	clear((*slab)[:cap(*slab)]) // drop the references into this request
	slabs.Put(slab)
	return ok
}

// slabs holds member slabs for lazyDiffer: one per review would be the
// largest allocation of a lazy decision.
var slabs = sync.Pool{New: func() any { s := make([]rawMember, 0, 128); return &s }}

// objects compares two object spans member by member, as differ.maps does.
func (d *lazyDiffer) objects(p Path, o, n []byte) bool {
	mark := len(d.slab)
	defer func() { d.slab = d.slab[:mark] }()
	var ok bool
	if d.slab, ok = rawMembers(o, d.slab); !ok {
		return false
	}
	mid := len(d.slab)
	if d.slab, ok = rawMembers(n, d.slab); !ok {
		return false
	}
	om, nm := d.slab[mark:mid:mid], d.slab[mid:]
	for i, m := range om {
		if !isLast(om, i) {
			continue
		}
		cp := append(p, Segment{Key: m.key})
		if skipChange(cp) {
			continue
		}
		ns, _ := lastMember(nm, m.key)
		if !d.values(cp, m.span, ns) {
			return false
		}
	}
	for i, m := range nm {
		if !isLast(nm, i) {
			continue
		}
		if _, inOld := lastMember(om, m.key); inOld {
			continue
		}
		cp := append(p, Segment{Key: m.key})
		if skipChange(cp) {
			continue
		}
		if !d.values(cp, nil, m.span) {
			return false
		}
	}
	return true
}

// values compares the spans at p (nil: absent).
func (d *lazyDiffer) values(p Path, o, n []byte) bool {
	oin, nin := o != nil && !isNull(o), n != nil && !isNull(n)
	switch {
	case !oin && !nin:
		return true
	case oin && nin && bytes.Equal(o, n):
		return true // decoded once and shared: nothing changed below
	case oin && nin && isObject(o) && isObject(n):
		return d.objects(p, o, n)
	case oin && nin && isArray(o) && isArray(n):
		var ob, nb [8][]byte
		ol, ok1 := rawElements(o, ob[:0])
		nl, ok2 := rawElements(n, nb[:0])
		if !ok1 || !ok2 {
			return false
		}
		if len(ol) == len(nl) {
			for i := range ol {
				if !d.values(append(p, Segment{Index: i, IsIndex: true}), ol[i], nl[i]) {
					return false
				}
			}
			return true
		}
	}
	return d.r.acceptedChange(p)
}
