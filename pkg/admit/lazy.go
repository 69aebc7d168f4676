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
	// Members and OldMembers, when not nil, are the top-level members of
	// Object and OldObject in order, duplicates kept, with their keys
	// decoded: the caller split them already, and the rules need not again.
	Members, OldMembers []Member
	// Decode returns both objects decoded whole (nil when absent).
	Decode func() (obj, old *unstructured.Unstructured, err error)
}

// topMembers returns given members, or splits raw.
func topMembers(given []Member, raw []byte, buf []Member) ([]Member, bool) {
	if given != nil {
		return given, true
	}
	return rawMembers(raw, buf)
}

// headKeys are the top-level members a lazy request's partial objects hold.
var headKeys = [...]string{"apiVersion", "kind", "metadata"}

// isHead reports whether k is one of headKeys.
func isHead(k string) bool { return k == "apiVersion" || k == "kind" || k == "metadata" }

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

// lazyMatchesDeclared reports whether compareDeclared(r.git, the request's
// whole object, r.ignore) finds nothing: metadata is compared on the partial
// object (which holds all of it that the whole decode does), the rest on
// the JSON. False means a difference or not sure; the caller then decodes
// and compares the maps.
func lazyMatchesDeclared(r *review) bool {
	var buf [16]Member
	top, ok := topMembers(r.lazy.Members, r.lazy.Object, buf[:0])
	if !ok || r.git == nil || r.obj == nil {
		return false
	}
	stack := r.stack[:0]
	for k, g := range r.git {
		if skipTopLevel(k) {
			continue
		}
		p := append(stack, Segment{Key: k})
		if isHead(k) {
			v, in := r.obj.Object[k]
			c := comparer{ignore: r.ignore}
			if c.walk(p, g, v, in, !noQuantityKeys[k]); len(c.errs) > 0 {
				return false
			}
			continue
		}
		span, present := lastMember(top, k)
		if !lazyWalk(p, g, span, present, !noQuantityKeys[k], r.ignore) {
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
		var buf [16]Member
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
	slab []Member // member lists of the objects being compared, used as a stack
}

// lazyChangesAccepted reports whether every path the request changes is
// accepted by r.acceptedChange: apiVersion, kind and metadata compared on
// the partial objects as changedPaths does, the rest on the JSON. False
// means a change that is not accepted, or not sure.
func lazyChangesAccepted(r *review) bool {
	l := r.lazy
	if r.obj == nil || r.old == nil {
		return false
	}
	var hd differ
	stack := r.stack[:0]
	for _, k := range headKeys {
		ov, oin := r.old.Object[k]
		nv, nin := r.obj.Object[k]
		hd.values(append(stack, Segment{Key: k}), ov, nv, oin && ov != nil, nin && nv != nil)
	}
	for _, c := range hd.out {
		if !r.acceptedChange(c.Path) {
			return false
		}
	}
	slab := slabs.Get().(*[]Member)
	d := lazyDiffer{r: r, slab: (*slab)[:0]}
	ok := d.top(l, stack)
	*slab = d.slab[:0]
	clear((*slab)[:cap(*slab)]) // drop the references into this request
	slabs.Put(slab)
	return ok
}

// slabs holds member slabs for lazyDiffer: one per review would be the
// largest allocation of a lazy decision.
var slabs = sync.Pool{New: func() any { s := make([]Member, 0, 128); return &s }}

// top compares the top-level members other than the heads.
func (d *lazyDiffer) top(l *Lazy, stack Path) bool {
	var ok bool
	om, nm := l.OldMembers, l.Members
	if om == nil {
		if d.slab, ok = rawMembers(l.OldObject, d.slab); !ok {
			return false
		}
		om = d.slab
	}
	if nm == nil {
		mid := len(d.slab)
		if d.slab, ok = rawMembers(l.Object, d.slab); !ok {
			return false
		}
		nm = d.slab[mid:]
		om = om[:len(om):len(om)]
	}
	return d.members(stack, om, nm, true)
}

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
	return d.members(p, d.slab[mark:mid:mid], d.slab[mid:], false)
}

// members compares two member lists, as differ.maps does; with heads set,
// apiVersion, kind and metadata are left out (compared on the maps).
func (d *lazyDiffer) members(p Path, om, nm []Member, heads bool) bool {
	for i, m := range om {
		if !isLast(om, i) || heads && isHead(m.Key) {
			continue
		}
		cp := append(p, Segment{Key: m.Key})
		if skipChange(cp) {
			continue
		}
		ns, _ := lastMember(nm, m.Key)
		if !d.values(cp, m.Value, ns) {
			return false
		}
	}
	for i, m := range nm {
		if !isLast(nm, i) || heads && isHead(m.Key) {
			continue
		}
		if _, inOld := lastMember(om, m.Key); inOld {
			continue
		}
		cp := append(p, Segment{Key: m.Key})
		if skipChange(cp) {
			continue
		}
		if !d.values(cp, nil, m.Value) {
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
