package admit

import (
	"encoding/json"
	"strconv"
	"strings"
)

// owners is what the request object's metadata.managedFields says about who
// set which field. The API server computes it before validating admission
// runs: a server-side apply owns exactly the fields it sent, and any other
// write owns every field it added or changed, defaults included; fields the
// API server defaulted under an apply, or a mutating webhook added, are
// owned by nobody. A requester cannot make a field it adds unowned: fields
// it sends in managedFields are re-attributed to it by the update.
type owners struct {
	// trees are the fieldsV1 trees of every entry.
	trees []map[string]any
	// known is false when the object has no managedFields (they were
	// reset, or the server does not track them): then everything counts as
	// owned.
	known bool
}

// ownersOf reads obj's managedFields.
func ownersOf(obj map[string]any) owners {
	md, _ := obj["metadata"].(map[string]any)
	entries, _ := md["managedFields"].([]any)
	o := owners{}
	for _, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		if t, _ := m["fieldsType"].(string); t != "FieldsV1" {
			return owners{} // a format this code cannot read: trust nothing
		}
		tree, _ := m["fieldsV1"].(map[string]any)
		if len(tree) > 0 {
			o.trees = append(o.trees, tree)
		}
	}
	o.known = len(o.trees) > 0
	return o
}

// owns reports whether some manager owns the leaf at p of obj (or a value
// that holds it: an atomic list or map it set as a whole).
func (o owners) owns(obj map[string]any, p Path) bool {
	if !o.known {
		return true
	}
	for _, t := range o.trees {
		if treeOwns(t, obj, p) {
			return true
		}
	}
	return false
}

// treeOwns walks one fieldsV1 tree beside obj along p.
func treeOwns(node map[string]any, obj any, p Path) bool {
	val := obj
	for i, s := range p {
		if i > 0 && ownsWhole(node) {
			return true
		}
		var next map[string]any
		if s.IsIndex {
			l, ok := val.([]any)
			if !ok || s.Index >= len(l) {
				return false
			}
			val = l[s.Index]
			next = listItem(node, s.Index, val)
		} else {
			m, _ := val.(map[string]any)
			next, _ = node["f:"+s.Key].(map[string]any)
			val = m[s.Key]
		}
		if next == nil {
			return false
		}
		node = next
	}
	return true
}

// ownsWhole reports whether a fieldsV1 node owns its value as a whole: it
// names no members (an atomic value, or a map or list set empty, which the
// requester may then not fill without owning what it adds).
func ownsWhole(node map[string]any) bool {
	for k := range node {
		if k != "." {
			return false
		}
	}
	return true
}

// listItem finds the member of a fieldsV1 list node that stands for item
// (at index i): k:{keys} for an associative list, v:value for a set, i:n
// by position.
func listItem(node map[string]any, i int, item any) map[string]any {
	if n, ok := node["i:"+strconv.Itoa(i)].(map[string]any); ok {
		return n
	}
	for k, v := range node {
		child, ok := v.(map[string]any)
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(k, "k:"):
			if keysMatch(k[2:], item) {
				return child
			}
		case strings.HasPrefix(k, "v:"):
			var want any
			if json.Unmarshal([]byte(k[2:]), &want) == nil && equalJSON(want, item) {
				return child
			}
		}
	}
	return nil
}

// keysMatch reports whether item has every key field of the JSON object
// keys with the same value.
func keysMatch(keys string, item any) bool {
	var want map[string]any
	m, ok := item.(map[string]any)
	if !ok || json.Unmarshal([]byte(keys), &want) != nil || len(want) == 0 {
		return false
	}
	for k, v := range want {
		if !equalJSON(v, m[k]) {
			return false
		}
	}
	return true
}

// equalJSON compares two decoded JSON values, numbers by value.
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return equalScalar(a, b)
}

// ownershipShrank reports whether the request drops the record of who set
// a field that is still there: the union of old's managedFields trees owns
// something of new that new's union does not. A client may send
// managedFields (to reset them); the API server then re-attributes what the
// write changes, but what it leaves alone loses its owner, and a later
// removal of it would look like the removal of a default.
func ownershipShrank(was, is owners, new map[string]any) bool {
	if !was.known {
		return false
	}
	if !is.known {
		return true
	}
	w, i := union(was.trees), union(is.trees)
	delete(w, "f:status") // written by controllers through /status; not content
	return treeShrank(w, i, new)
}

// union merges fieldsV1 trees.
func union(trees []map[string]any) map[string]any {
	out := map[string]any{}
	for _, t := range trees {
		mergeTree(out, t)
	}
	return out
}

func mergeTree(dst, src map[string]any) {
	for k, v := range src {
		sv, _ := v.(map[string]any)
		dv, ok := dst[k].(map[string]any)
		if !ok {
			dv = map[string]any{}
			dst[k] = dv
		}
		mergeTree(dv, sv)
	}
}

// treeShrank walks was beside val (the request's object): a member of was
// whose value val still holds must be in is.
func treeShrank(was, is map[string]any, val any) bool {
	for k, wc := range was {
		if k == "." {
			continue
		}
		child, present := memberOf(k, val)
		if !present {
			continue // the value is gone: nothing left to own
		}
		ic, ok := is[k].(map[string]any)
		if !ok {
			return true
		}
		wm, _ := wc.(map[string]any)
		if treeShrank(wm, ic, child) {
			return true
		}
	}
	return false
}

// memberOf finds the value a fieldsV1 member key names inside val.
func memberOf(key string, val any) (any, bool) {
	switch {
	case strings.HasPrefix(key, "f:"):
		m, _ := val.(map[string]any)
		v, ok := m[key[2:]]
		return v, ok && v != nil
	case strings.HasPrefix(key, "i:"):
		l, _ := val.([]any)
		i, err := strconv.Atoi(key[2:])
		if err != nil || i < 0 || i >= len(l) {
			return nil, false
		}
		return l[i], true
	case strings.HasPrefix(key, "k:"), strings.HasPrefix(key, "v:"):
		l, _ := val.([]any)
		for _, item := range l {
			if strings.HasPrefix(key, "k:") && keysMatch(key[2:], item) {
				return item, true
			}
			var want any
			if strings.HasPrefix(key, "v:") && json.Unmarshal([]byte(key[2:]), &want) == nil && equalJSON(want, item) {
				return item, true
			}
		}
	}
	return nil, false
}
