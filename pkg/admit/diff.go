package admit

import (
	"reflect"
	"slices"
	"strings"
)

// serverMetadata are the metadata fields the API server and its controllers
// own; a change to them is never a change of content.
var serverMetadata = map[string]bool{
	"resourceVersion":            true,
	"uid":                        true,
	"generation":                 true,
	"creationTimestamp":          true,
	"managedFields":              true,
	"selfLink":                   true,
	"deletionTimestamp":          true,
	"deletionGracePeriodSeconds": true,
}

// change is one path whose value differs between the live object and the
// request.
type change struct {
	Path     Path
	Old, New any
	// Removed says the request drops a field the live object has.
	Removed bool
}

// changedPaths returns the paths at which new differs from old, at the
// deepest level where both are maps or equal-length lists. Server-managed
// metadata, status and the commit, digest and last-applied annotations are
// left out; the source label is not (changing it is a change).
func changedPaths(old, new map[string]any) []change {
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

// add records a change, copying the path stack.
func (d *differ) add(c change) {
	c.Path = slices.Clone(c.Path)
	d.out = append(d.out, c)
}

// values compares the values at p.
func (d *differ) values(p Path, ov, nv any, oin, nin bool) {
	switch {
	case !oin && !nin:
		return
	case !nin:
		if !isZero(ov) {
			d.add(change{Path: p, Old: ov, Removed: true})
		}
		return
	case !oin:
		if !isZero(nv) {
			d.add(change{Path: p, New: nv})
		}
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
	if oIsList && nIsList && len(ol) == len(nl) {
		if len(ol) > 0 && &ol[0] == &nl[0] {
			return // one shared list: nothing changed below
		}
		for i := range ol {
			d.values(append(p, Segment{Index: i, IsIndex: true}), ol[i], nl[i], ol[i] != nil, nl[i] != nil)
		}
		return
	}
	if oIsMap || nIsMap || oIsList || nIsList || !equalScalar(ov, nv, false) {
		d.add(change{Path: p, Old: ov, New: nv})
	}
}

// sameMap reports whether a and b are one map: the decoder shares what did
// not change between object and oldObject, so nothing changed below.
func sameMap(a, b map[string]any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// skipChange reports whether a change at p is not a change of content.
func skipChange(p Path) bool {
	switch len(p) {
	case 1:
		return p[0].Key == "status"
	case 2:
		return p[0].Key == "metadata" && serverMetadata[p[1].Key]
	case 3:
		return p[1].Key == "annotations" && contractKey(p)
	}
	return false
}
