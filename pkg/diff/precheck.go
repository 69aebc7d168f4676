package diff

import (
	"encoding/base64"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// quantityParents are the map fields whose values are resource quantities,
// compared by value ("0.5" equals "500m"); elsewhere strings compare exactly
// (a ConfigMap value "1.0" is not "1").
var quantityParents = map[string]bool{
	"limits": true, "requests": true, "hard": true, "capacity": true,
	"allocatable": true, "overhead": true,
}

// declaredEqual reports whether every field desired declares has the same
// value in live: the cheap local pre-check that decides whether an object
// needs a server-side dry-run. Fields live has and desired does not declare
// are ignored (defaults, other managers). An empty or null declared value
// equals an absent one. It may answer false for an object the server would
// not change (the dry-run then finds it equal), never true for one it would
// change through a declared value.
func declaredEqual(desired, live any, key string, quantity bool) bool {
	switch d := desired.(type) {
	case nil:
		return isEmpty(live)
	case map[string]any:
		if len(d) == 0 {
			return isEmpty(live)
		}
		l, ok := live.(map[string]any)
		if !ok && live != nil {
			return false
		}
		for k, dv := range d {
			if !declaredEqual(dv, l[k], k, quantityParents[key]) {
				return false
			}
		}
		return true
	case []any:
		if len(d) == 0 {
			return isEmpty(live)
		}
		l, ok := live.([]any)
		if !ok || len(l) != len(d) {
			return false
		}
		for i := range d {
			if !declaredEqual(d[i], l[i], key, false) {
				return false
			}
		}
		return true
	case string:
		l, ok := live.(string)
		if !ok {
			return false
		}
		if l == d {
			return true
		}
		return (quantity || key == "sizeLimit") && sameQuantity(d, l)
	}
	return equalValues(desired, live)
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

func sameQuantity(a, b string) bool {
	qa, err := resource.ParseQuantity(a)
	if err != nil {
		return false
	}
	qb, err := resource.ParseQuantity(b)
	if err != nil {
		return false
	}
	return qa.Cmp(qb) == 0
}

// asServerSees returns desired as the server stores it where that differs
// from what was declared: a Secret's stringData merged into data, base64
// encoded (a copy; desired itself is untouched).
func asServerSees(desired *unstructured.Unstructured) *unstructured.Unstructured {
	if !isSecret(desired) {
		return desired
	}
	sd, ok := desired.Object["stringData"].(map[string]any)
	if !ok {
		return desired
	}
	out := desired.DeepCopy()
	delete(out.Object, "stringData")
	data, _ := out.Object["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range sd {
		s, _ := v.(string)
		data[k] = base64.StdEncoding.EncodeToString([]byte(s))
	}
	out.Object["data"] = data
	return out
}
