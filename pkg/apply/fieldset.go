package apply

import (
	"encoding/json"
	"hash/fnv"
	"slices"
	"strings"
)

// FieldSet is a compact record of the fields an object declares: one
// 64-bit hash per map path (lists and scalars are leaves), the lowest bit
// set for leaves, sorted. It lets InSync tell, without the object, whether
// another field manager owns a field Git declares. A hash collision can
// only make that answer "yes", which costs a render, never a missed drift.
type FieldSet []uint64

// fieldSetOf returns the FieldSet of obj.
func fieldSetOf(obj map[string]any) FieldSet {
	var fs FieldSet
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			p := prefix + "\x00" + k
			if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
				fs = append(fs, pathHash(p)&^1)
				walk(p, sub)
				continue
			}
			fs = append(fs, pathHash(p)|1)
		}
	}
	walk("", obj)
	slices.Sort(fs)
	return slices.Clip(fs)
}

func pathHash(p string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(p))
	return h.Sum64()
}

// lookup reports whether path p is declared and whether it is a leaf.
func (fs FieldSet) lookup(p string) (found, leaf bool) {
	h := pathHash(p)
	if _, ok := slices.BinarySearch(fs, h|1); ok {
		return true, true
	}
	_, ok := slices.BinarySearch(fs, h&^1)
	return ok, false
}

// owns reports whether the managed-fields set raw (FieldsV1 JSON) owns a
// field of fs. It is conservative: an element of a declared list, or a raw
// it cannot read, counts as owned.
func (fs FieldSet) owns(raw []byte) bool {
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		return true
	}
	return fs.ownsAt("", fields)
}

func (fs FieldSet) ownsAt(prefix string, fields map[string]any) bool {
	for k, sub := range fields {
		switch {
		case k == ".":
			if prefix == "" {
				return true
			}
			if found, _ := fs.lookup(prefix); found {
				return true
			}
		case strings.HasPrefix(k, "f:"):
			p := prefix + "\x00" + k[2:]
			found, leaf := fs.lookup(p)
			if !found {
				continue
			}
			subFields, _ := sub.(map[string]any)
			if leaf || len(subFields) == 0 || fs.ownsAt(p, subFields) {
				return true
			}
		}
		// "k:", "v:", "i:" are list elements: a declared list is a leaf and
		// was answered at its parent.
	}
	return false
}
