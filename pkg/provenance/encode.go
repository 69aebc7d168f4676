package provenance

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// appendString appends s as a JSON string, escaping only ", \ and control
// characters; other bytes, including invalid UTF-8, are written as they are.
// The escaping is one-to-one, so different strings never encode the same.
func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendNumber appends v, a Go number or json.Number, spelled by its value:
// integral values in the int64 range as decimal integers, other finite values
// in the shortest 'g' form.
func appendNumber(b []byte, v any) ([]byte, error) {
	switch n := v.(type) {
	case int:
		return strconv.AppendInt(b, int64(n), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(n), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(n), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(n), 10), nil
	case int64:
		return strconv.AppendInt(b, n, 10), nil
	case uint:
		return appendUint(b, uint64(n))
	case uint8:
		return strconv.AppendUint(b, uint64(n), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(n), 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(n), 10), nil
	case uint64:
		return appendUint(b, n)
	case float32:
		return appendFloat(b, float64(n))
	case float64:
		return appendFloat(b, n)
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return strconv.AppendInt(b, i, 10), nil
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return b, &pathError{msg: fmt.Sprintf("number %s is not a finite float64", quoteTrunc(string(n), 40))}
		}
		return appendFloat(b, f)
	}
	return b, &pathError{msg: fmt.Sprintf("unsupported value of Go type %T", v)}
}

// appendUint appends n; a value above the int64 range is spelled like the
// float64 it equals, when there is one, so that it matches a decoded float.
func appendUint(b []byte, n uint64) ([]byte, error) {
	if n <= math.MaxInt64 {
		return strconv.AppendInt(b, int64(n), 10), nil
	}
	if f := float64(n); f < 1<<64 && uint64(f) == n {
		return appendFloat(b, f)
	}
	return strconv.AppendUint(b, n, 10), nil
}

// appendFloat appends a finite f: as an integer when it is integral and in
// the int64 range, else in the shortest 'g' form.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, &pathError{msg: fmt.Sprintf("number %v is not finite", f)}
	}
	if f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
		return strconv.AppendInt(b, int64(f), 10), nil
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64), nil
}
