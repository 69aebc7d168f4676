package admit

import (
	"encoding/json"
	"math"
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

// equalScalar compares two JSON scalars: numbers by value (3 == 3.0),
// strings, booleans and null exactly. Git's objects are normalised the way
// the API server stores them before they get here (canonical quantities,
// see pkg/gitview), so no spelling of a value equals another.
func equalScalar(g, r any) bool {
	if eq, ok := equalNumbers(g, r); ok {
		return eq
	}
	switch gv := g.(type) {
	case string:
		rs, ok := r.(string)
		return ok && rs == gv
	case bool:
		rb, ok := r.(bool)
		return ok && rb == gv
	case nil:
		return r == nil
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
