package webhookserver

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/gitward/gitward/pkg/admit"
)

// parsePair decodes the object and oldObject of a request. Values that are
// byte-for-byte the same in both (most of an object: the API server encodes
// both with the same encoder) are decoded once and shared, so the two
// results may share maps and lists: callers must treat them as read-only.
// What the decision never reads is not decoded: status and
// metadata.managedFields. Either side may be empty or null (nil result).
func parsePair(newRaw, oldRaw []byte) (newObj, oldObj map[string]any, err error) {
	var pr pairing
	return pr.parse(newRaw, oldRaw)
}

// parseHeads is parsePair that decodes only apiVersion, kind and metadata
// at the top level; the other members are checked, not built. It also
// returns both spans trimmed (empty when absent). The decoded strings alias
// newRaw and oldRaw, which must not change afterwards.
func parseHeads(newRaw, oldRaw []byte) (newObj, oldObj map[string]any, h heads, err error) {
	slab := memberSlabs.Get().(*[]member)
	pr := pairing{heads: true, members: (*slab)[:0]}
	newObj, oldObj, err = pr.parse(newRaw, oldRaw)
	*slab = pr.members[:0]
	clear((*slab)[:cap(*slab)]) // drop the references into this request
	memberSlabs.Put(slab)
	return newObj, oldObj, heads{newSpan: pr.newSpan, oldSpan: pr.oldSpan, newTop: pr.newTop, oldTop: pr.oldTop}, err
}

// heads is what parseHeads returns besides the partial objects: both spans
// trimmed (empty when absent) and their top-level members (nil when absent).
type heads struct {
	newSpan, oldSpan []byte
	newTop, oldTop   []admit.Member
}

// topOf copies a member list.
func topOf(ms []member) []admit.Member {
	out := make([]admit.Member, len(ms))
	for i, m := range ms {
		out[i] = admit.Member{Key: m.key, Value: m.span}
	}
	return out
}

// memberSlabs holds member slabs for parseHeads, the hot path.
var memberSlabs = sync.Pool{New: func() any { s := make([]member, 0, 64); return &s }}

// parse is parsePair with the pairing's settings.
func (pr *pairing) parse(newRaw, oldRaw []byte) (newObj, oldObj map[string]any, err error) {
	newRaw, oldRaw = bytes.TrimSpace(newRaw), bytes.TrimSpace(oldRaw)
	// Decoded strings point into the input (parseSpan aliases), so they
	// cost no allocation each. parsePair decodes from one private copy of
	// both, so that they never see a caller's later changes to the
	// request's buffers; parseHeads, whose caller keeps the input as it is
	// (controller-runtime's per-request buffers), saves that copy.
	if !pr.heads {
		buf := make([]byte, len(newRaw)+len(oldRaw))
		copy(buf, newRaw)
		copy(buf[len(newRaw):], oldRaw)
		newRaw, oldRaw = buf[:len(newRaw):len(newRaw)], buf[len(newRaw):]
	}
	pr.newSpan, pr.oldSpan = newRaw, oldRaw
	if pr.members == nil {
		pr.members = make([]member, 0, 32)
	}
	var n, o []byte
	if isObjectSpan(newRaw) {
		n = newRaw
	} else if newObj, err = parseOptional(newRaw); err != nil {
		return nil, nil, err
	}
	if isObjectSpan(oldRaw) {
		o = oldRaw
	} else if oldObj, err = parseOptional(oldRaw); err != nil {
		return nil, nil, err
	}
	if n == nil && o == nil {
		return newObj, oldObj, nil
	}
	nm, om, err := pr.objects(n, o, 0, true)
	if err != nil {
		return nil, nil, err
	}
	if n != nil {
		newObj = nm
	}
	if o != nil {
		oldObj = om
	}
	return newObj, oldObj, nil
}

// pruned reports whether a member is left out: status at the top level,
// managedFields in metadata, and in heads mode every top-level member but
// apiVersion, kind and metadata.
func (pr *pairing) pruned(level int, key string) bool {
	switch level {
	case 0:
		return key == "status" || pr.heads && key != "apiVersion" && key != "kind" && key != "metadata"
	case 1:
		return key == "managedFields"
	}
	return false
}

// kept counts the members that are decoded: a map sized for them only stays
// small (up to 8 entries) where the whole object would not, as metadata
// with managedFields.
func (pr *pairing) kept(ms []member, level int, prune bool) int {
	n := len(ms)
	if prune {
		for _, m := range ms {
			if pr.pruned(level, m.key) {
				n--
			}
		}
	}
	return n
}

// parseOptional is parseObject, with an empty span meaning absent.
func parseOptional(b []byte) (map[string]any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	return parseObject(b)
}

// isObjectSpan reports whether a trimmed span starts an object.
func isObjectSpan(b []byte) bool { return len(b) > 0 && b[0] == '{' }

// pairing is the scratch space of one parsePair: the member lists of the
// objects being paired, kept in one slab used as a stack.
type pairing struct {
	members []member
	// heads decodes only apiVersion, kind and metadata (parseHeads).
	heads bool
	// newSpan and oldSpan are the spans parse decodes from.
	newSpan, oldSpan []byte
	// newTop and oldTop are the top-level members, in heads mode.
	newTop, oldTop []admit.Member
}

// values decodes two spans, each holding one value.
func (pr *pairing) values(n, o []byte, depth int) (any, any, error) {
	if depth > maxDepth {
		return nil, nil, errors.New("exceeded max depth")
	}
	if bytes.Equal(n, o) {
		v, err := parseSpan(n)
		return v, v, err
	}
	switch {
	case isObjectSpan(n) && isObjectSpan(o):
		return pr.objects(n, o, depth, false)
	case len(n) > 0 && n[0] == '[' && len(o) > 0 && o[0] == '[':
		return pr.arrays(n, o, depth)
	}
	nv, err := parseSpan(n)
	if err != nil {
		return nil, nil, err
	}
	ov, err := parseSpan(o)
	return nv, ov, err
}

// objects decodes two objects key by key; either may be nil (absent).
// With prune set (the top level and metadata), members the decision never
// reads are skipped, and metadata is paired the same way.
func (pr *pairing) objects(n, o []byte, level int, prune bool) (map[string]any, map[string]any, error) {
	mark := len(pr.members)
	defer func() { pr.members = pr.members[:mark] }()
	// In heads mode the members left out are checked while splitting.
	var check func(string) bool
	if pr.heads && prune {
		check = func(k string) bool { return pr.pruned(level, k) }
	}
	if n != nil {
		ext, err := splitObject(n, pr.members, check)
		if err != nil {
			return nil, nil, err
		}
		pr.members = ext
	}
	mid := len(pr.members)
	if o != nil {
		ext, err := splitObject(o, pr.members, check)
		if err != nil {
			return nil, nil, err
		}
		pr.members = ext
	}
	nk, ok := pr.members[mark:mid:mid], pr.members[mid:]
	if pr.heads && level == 0 {
		tops := topOf(pr.members[mark:])
		if n != nil {
			pr.newTop = tops[:len(nk):len(nk)]
		}
		if o != nil {
			pr.oldTop = tops[len(nk):]
		}
	}
	nm, om := make(map[string]any, pr.kept(nk, level, prune)), make(map[string]any, pr.kept(ok, level, prune))
	// The flags live on the stack unless the object has many members.
	var pairedBuf [32]bool
	var paired []bool
	if len(ok) <= len(pairedBuf) {
		paired = pairedBuf[:len(ok)]
	} else {
		paired = make([]bool, len(ok))
	}
	for _, kv := range nk {
		j := findKey(ok, kv.key)
		if j >= 0 {
			paired[j] = true
		}
		if prune && pr.pruned(level, kv.key) {
			if check == nil {
				if err := validSpan(kv.span); err != nil {
					return nil, nil, fmt.Errorf("member %q: %w", kv.key, err)
				}
			}
			continue
		}
		if prune && level == 0 && kv.key == "metadata" && isObjectSpan(kv.span) && (j < 0 || isObjectSpan(ok[j].span)) {
			var os []byte
			if j >= 0 {
				os = ok[j].span
			}
			nv, ov, err := pr.objects(kv.span, os, 1, true)
			if err != nil {
				return nil, nil, err
			}
			nm[kv.key] = nv
			if j >= 0 {
				om[kv.key] = ov
			}
			continue
		}
		if j < 0 {
			v, err := parseSpan(kv.span)
			if err != nil {
				return nil, nil, err
			}
			nm[kv.key] = v
			continue
		}
		nv, ov, err := pr.values(kv.span, ok[j].span, level+1)
		if err != nil {
			return nil, nil, err
		}
		nm[kv.key], om[kv.key] = nv, ov
	}
	for j, kv := range ok {
		if prune && pr.pruned(level, kv.key) {
			if check != nil || paired[j] && bytes.Equal(kv.span, nk[findKey(nk, kv.key)].span) {
				continue // checked above
			}
			if err := validSpan(kv.span); err != nil {
				return nil, nil, fmt.Errorf("member %q: %w", kv.key, err)
			}
			continue
		}
		if paired[j] {
			continue
		}
		var v any
		var err error
		if prune && level == 0 && kv.key == "metadata" && isObjectSpan(kv.span) {
			_, v, err = pr.objects(nil, kv.span, 1, true)
		} else {
			v, err = parseSpan(kv.span)
		}
		if err != nil {
			return nil, nil, err
		}
		if !paired[findKey(ok, kv.key)] { // else the last duplicate, paired, won
			om[kv.key] = v
		}
	}
	return nm, om, nil
}

// arrays decodes two arrays element by element when they have the same
// length, else each on its own.
func (pr *pairing) arrays(n, o []byte, depth int) (any, any, error) {
	ne, err := splitArray(n)
	if err != nil {
		return nil, nil, err
	}
	oe, err := splitArray(o)
	if err != nil {
		return nil, nil, err
	}
	if len(ne) != len(oe) {
		nv, err := parseSpan(n)
		if err != nil {
			return nil, nil, err
		}
		ov, err := parseSpan(o)
		return nv, ov, err
	}
	nl, ol := make([]any, len(ne)), make([]any, len(oe))
	for i := range ne {
		if nl[i], ol[i], err = pr.values(ne[i], oe[i], depth+1); err != nil {
			return nil, nil, err
		}
	}
	return nl, ol, nil
}

// findKey returns the index of the last member named key, or -1.
func findKey(kvs []member, key string) int {
	for j := len(kvs) - 1; j >= 0; j-- {
		if kvs[j].key == key {
			return j
		}
	}
	return -1
}

// parseSpan decodes a span holding exactly one value; strings alias b.
func parseSpan(b []byte) (any, error) {
	p := parser{b: b, alias: true}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, p.errorf("unexpected data after a value")
	}
	return v, nil
}
