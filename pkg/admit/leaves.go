package admit

import (
	"reflect"
	"slices"
	"strings"

	"github.com/gitward/gitward/pkg/provenance"
)

// changeKind says how a leaf changed.
type changeKind int

const (
	leafAdded changeKind = iota
	leafRemoved
	leafModified
)

// change is one leaf whose value differs between the live object and the
// request. A leaf is a scalar, an empty map or an empty list: a change is
// never recorded at a map or list that has members, so that a request
// filling a map Git declares empty ({}) shows each key it adds.
type change struct {
	Path     Path
	Old, New any
	Kind     changeKind
}

// changedLeaves returns every leaf at which new differs from old (either
// may be nil: a CREATE compares with nothing). Lists are compared by
// position: a list the request reorders shows as changes, never as none.
// Status, server-managed metadata and the contract annotations are left
// out; the source label is not (changing it is a change).
func changedLeaves(old, new map[string]any) []change {
	d := differ{}
	d.maps(make(Path, 0, 16), old, new)
	if len(d.out) > 1 {
		slices.SortFunc(d.out, func(a, b change) int { return strings.Compare(a.Path.String(), b.Path.String()) })
	}
	return d.out
}

// differ collects changes.
type differ struct{ out []change }

// maps compares two maps key by key. p is a stack extended in place and
// copied only when a change is recorded.
func (d *differ) maps(p Path, old, new map[string]any) {
	for k, ov := range old {
		cp := append(p, Segment{Key: k})
		if skipChange(cp) {
			continue
		}
		nv, nin := new[k]
		d.values(cp, ov, nv, ov != nil, nin && nv != nil)
	}
	for k, nv := range new {
		if _, inOld := old[k]; inOld {
			continue
		}
		cp := append(p, Segment{Key: k})
		if skipChange(cp) {
			continue
		}
		d.values(cp, nil, nv, false, nv != nil)
	}
}

// values compares the values at p; null counts as absent.
func (d *differ) values(p Path, ov, nv any, oin, nin bool) {
	switch {
	case !oin && !nin:
		return
	case !nin:
		d.leaves(p, ov, leafRemoved)
		return
	case !oin:
		d.leaves(p, nv, leafAdded)
		return
	}
	om, oIsMap := ov.(map[string]any)
	nm, nIsMap := nv.(map[string]any)
	if oIsMap && nIsMap {
		if !sameMap(om, nm) {
			d.maps(p, om, nm)
		}
		return
	}
	ol, oIsList := ov.([]any)
	nl, nIsList := nv.([]any)
	if oIsList && nIsList {
		if len(ol) > 0 && len(nl) > 0 && &ol[0] == &nl[0] && len(ol) == len(nl) {
			return // one shared list: nothing changed below
		}
		n := min(len(ol), len(nl))
		for i := range n {
			d.values(append(p, Segment{Index: i, IsIndex: true}), ol[i], nl[i], ol[i] != nil, nl[i] != nil)
		}
		for i := n; i < len(ol); i++ {
			d.leaves(append(p, Segment{Index: i, IsIndex: true}), ol[i], leafRemoved)
		}
		for i := n; i < len(nl); i++ {
			d.leaves(append(p, Segment{Index: i, IsIndex: true}), nl[i], leafAdded)
		}
		return
	}
	if !oIsMap && !nIsMap && !oIsList && !nIsList {
		if !equalScalar(ov, nv) {
			d.add(change{Path: p, Old: ov, New: nv, Kind: leafModified})
		}
		return
	}
	// The shape changed (a map became a scalar): everything below went away
	// and everything below is new.
	d.leaves(p, ov, leafRemoved)
	d.leaves(p, nv, leafAdded)
}

// leaves records every leaf of v at p as added or removed.
func (d *differ) leaves(p Path, v any, kind changeKind) {
	switch x := v.(type) {
	case nil:
		return
	case map[string]any:
		if len(x) > 0 {
			for k, e := range x {
				cp := append(p, Segment{Key: k})
				if !skipChange(cp) {
					d.leaves(cp, e, kind)
				}
			}
			return
		}
	case []any:
		if len(x) > 0 {
			for i, e := range x {
				d.leaves(append(p, Segment{Index: i, IsIndex: true}), e, kind)
			}
			return
		}
	}
	c := change{Path: p, Kind: kind}
	if kind == leafRemoved {
		c.Old = v
	} else {
		c.New = v
	}
	d.add(c)
}

// add records a change, copying the path stack.
func (d *differ) add(c change) {
	c.Path = slices.Clone(c.Path)
	d.out = append(d.out, c)
}

// sameMap reports whether a and b are one map: what did not change between
// object and oldObject may be shared, so nothing changed below.
func sameMap(a, b map[string]any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// skipChange reports whether a change at p is not a change of content.
func skipChange(p Path) bool {
	switch len(p) {
	case 1:
		return p[0].Key == "status"
	case 2:
		return p[0].Key == "metadata" && provenance.IsServerMetadata(p[1].Key)
	case 3:
		return p[1].Key == "annotations" && contractKey(p)
	}
	return false
}
