package admit

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Segment is one step of a Path: a map key, or a list index.
type Segment struct {
	Key     string
	Index   int
	IsIndex bool
}

// Path is a location inside an object.
type Path []Segment

// Child returns p followed by map key k. p is not modified.
func (p Path) Child(k string) Path {
	return append(p[:len(p):len(p)], Segment{Key: k})
}

// Index returns p followed by list index i. p is not modified.
func (p Path) Index(i int) Path {
	return append(p[:len(p):len(p)], Segment{Index: i, IsIndex: true})
}

// HasPrefix reports whether q is a prefix of p (or equal to it).
func (p Path) HasPrefix(q Path) bool {
	if len(q) > len(p) {
		return false
	}
	for i := range q {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// Field returns p as a field.Path.
func (p Path) Field() *field.Path {
	var f *field.Path
	for i, s := range p {
		switch {
		case s.IsIndex:
			if f == nil {
				f = field.NewPath("")
			}
			f = f.Index(s.Index)
		case f == nil:
			f = field.NewPath(s.Key)
		case plainKey(s.Key) && !(i > 0 && freeFormMaps[p[i-1].Key]):
			f = f.Child(s.Key)
		default:
			f = f.Key(s.Key)
		}
	}
	if f == nil {
		return field.NewPath("<object>")
	}
	return f
}

// String renders p as kubectl does: spec.template.spec.containers[0].image,
// metadata.labels[app.kubernetes.io/name].
func (p Path) String() string { return p.Field().String() }

// freeFormMaps are maps whose keys are data, not field names; their keys are
// always written in brackets: metadata.labels[team].
var freeFormMaps = map[string]bool{
	"labels": true, "annotations": true, "matchLabels": true, "nodeSelector": true,
	"data": true, "binaryData": true, "stringData": true,
}

// plainKey reports whether k can follow a dot without brackets.
func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ParsePath reads a path as String writes it: dot-separated keys, [n] for a
// list index and [key] for a map key that holds dots or slashes.
func ParsePath(s string) (Path, error) {
	var p Path
	i := 0
	for i < len(s) {
		switch c := s[i]; {
		case c == '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed [ at offset %d", s, i)
			}
			inner := s[i+1 : i+end]
			if n, err := strconv.Atoi(inner); err == nil && n >= 0 {
				p = p.Index(n)
			} else if inner != "" {
				p = p.Child(inner)
			} else {
				return nil, fmt.Errorf("path %q: empty [] at offset %d", s, i)
			}
			i += end + 1
			if i < len(s) && s[i] == '.' {
				i++
				if i == len(s) {
					return nil, fmt.Errorf("path %q: ends with a dot", s)
				}
			}
		case c == '.' || c == ']':
			return nil, fmt.Errorf("path %q: unexpected %q at offset %d", s, c, i)
		default:
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			p = p.Child(s[i:j])
			i = j
			if i < len(s) && s[i] == '.' {
				i++
				if i == len(s) {
					return nil, fmt.Errorf("path %q: ends with a dot", s)
				}
			}
		}
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("path %q: empty", s)
	}
	return p, nil
}

// lookup returns the value at p inside obj.
func lookup(obj any, p Path) (any, bool) {
	cur := obj
	for _, s := range p {
		if s.IsIndex {
			l, ok := cur.([]any)
			if !ok || s.Index >= len(l) {
				return nil, false
			}
			cur = l[s.Index]
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[s.Key]; !ok {
			return nil, false
		}
	}
	return cur, true
}
