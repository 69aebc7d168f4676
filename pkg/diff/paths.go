package diff

import (
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// path is a field path: string elements index maps, int elements lists.
type path []any

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// String formats p as ".spec.template.spec.containers[0].image", quoting keys
// that are not plain: .metadata.labels["app.kubernetes.io/name"].
func (p path) String() string {
	var sb strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case int:
			sb.WriteString("[" + strconv.Itoa(e) + "]")
		case string:
			if plainKey.MatchString(e) {
				sb.WriteString("." + e)
			} else {
				sb.WriteString("[" + strconv.Quote(e) + "]")
			}
		}
	}
	return sb.String()
}

func (p path) child(e any) path {
	out := make(path, len(p), len(p)+1)
	copy(out, p)
	return append(out, e)
}

// changedPaths returns the paths of the leaves where a and b differ: a key
// present on one side only, a value that differs, or a list whose length
// differs (the list itself). skip reports paths to leave out.
func changedPaths(a, b any, at path, skip func(path) bool, out *[]path) {
	if skip(at) {
		return
	}
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			break
		}
		for _, k := range sortedKeys(av, bv) {
			x, inA := av[k]
			y, inB := bv[k]
			switch {
			case inA && inB:
				changedPaths(x, y, at.child(k), skip, out)
			case !skip(at.child(k)):
				*out = append(*out, at.child(k))
			}
		}
		return
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			break
		}
		for i := range av {
			changedPaths(av[i], bv[i], at.child(i), skip, out)
		}
		return
	}
	if !equalValues(a, b) {
		*out = append(*out, at)
	}
}

// equalValues compares JSON-like values, numbers by value (int64 1 equals
// float64 1).
func equalValues(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for k, x := range av {
			y, ok := bv[k]
			if !ok || !equalValues(x, y) {
				return false
			}
		}
		return true
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !equalValues(av[i], bv[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// number returns v as a float64 when it is a Go number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case float64:
		return n, true
	case float32:
		return float64(n), true
	}
	return 0, false
}

func sortedKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
