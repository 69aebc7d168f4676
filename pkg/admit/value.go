package admit

import (
	"encoding/json"
	"math"
	"strconv"

	"k8s.io/apimachinery/pkg/api/resource"
)

// number returns v as a number: as an int64 when it is integral and fits,
// else as a float64.
func number(v any) (i int64, f float64, isInt, ok bool) {
	switch n := v.(type) {
	case int:
		return int64(n), float64(n), true, true
	case int32:
		return int64(n), float64(n), true, true
	case int64:
		return n, float64(n), true, true
	case uint32:
		return int64(n), float64(n), true, true
	case uint64:
		if n > math.MaxInt64 {
			return 0, float64(n), false, true
		}
		return int64(n), float64(n), true, true
	case float32:
		return floatNumber(float64(n))
	case float64:
		return floatNumber(n)
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, float64(i), true, true
		}
		if f, err := n.Float64(); err == nil {
			return floatNumber(f)
		}
	}
	return 0, 0, false, false
}

// floatNumber classifies a float64.
func floatNumber(f float64) (int64, float64, bool, bool) {
	if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
		return int64(f), f, true, true
	}
	return 0, f, false, true
}

// equalNumbers compares two numbers by value: 3 == 3.0.
func equalNumbers(a, b any) (equal, ok bool) {
	ai, af, aInt, aok := number(a)
	bi, bf, bInt, bok := number(b)
	if !aok || !bok {
		return false, false
	}
	if aInt && bInt {
		return ai == bi, true
	}
	return af == bf, true
}

// equalScalar compares Git's value g with the requested value r. With
// quantities set, a quantity Git spells one way ("0.5", 1, "1024Mi") equals
// the canonical spelling the API server stores ("500m", "1", "1Gi").
func equalScalar(g, r any, quantities bool) bool {
	if eq, ok := equalNumbers(g, r); ok {
		return eq
	}
	switch gv := g.(type) {
	case string:
		if rs, ok := r.(string); ok && rs == gv {
			return true
		}
	case bool:
		rb, ok := r.(bool)
		return ok && rb == gv
	case nil:
		return r == nil
	}
	if quantities {
		if rs, ok := r.(string); ok {
			if q, ok := quantityOf(g); ok {
				return q.String() == rs
			}
		}
	}
	return false
}

// quantityOf parses a string or a number as a resource.Quantity.
func quantityOf(v any) (resource.Quantity, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	default:
		i, f, isInt, ok := number(v)
		if !ok {
			return resource.Quantity{}, false
		}
		if isInt {
			s = strconv.FormatInt(i, 10)
		} else {
			s = strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return resource.Quantity{}, false
	}
	return q, true
}

// isZero reports whether v is the zero value of its JSON type (null, "",
// false, 0, {} or []) all the way down: the API server drops such fields, so
// Git declaring one equals the request leaving it out.
func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case map[string]any:
		for _, e := range x {
			if !isZero(e) {
				return false
			}
		}
		return true
	case []any:
		return len(x) == 0
	}
	if i, f, isInt, ok := number(v); ok {
		return isInt && i == 0 || !isInt && f == 0
	}
	return false
}

// maxValueLen bounds a value quoted in a message.
const maxValueLen = 80

// formatValue renders v compactly for a message: JSON, truncated.
func formatValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "<unprintable>"
	}
	if len(b) > maxValueLen {
		return string(b[:maxValueLen]) + "…"
	}
	return string(b)
}
