package admit

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unsafe"
)

// This file reads a request's JSON without decoding it whole: the lazy
// comparisons (lazy.go) split objects into members and arrays into
// elements, and decode only the scalars they compare. The input is a valid
// JSON object (the caller checked it); every function still reports false
// rather than guessing when the bytes are not what it expects, and the
// caller then decodes the objects whole.

// Member is one member of a JSON object: its key and the JSON of its value.
// The lazy rules read keys that are plain (ASCII without escapes) straight
// from the input, aliasing it.
type Member struct {
	Key   string
	Value []byte
}

// rawMembers appends the members of the object span b to out. It fails on
// a key with escapes or non-ASCII bytes: comparing such keys needs them
// decoded, which the whole decode does.
func rawMembers(b []byte, out []Member) ([]Member, bool) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return out, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return out, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return out, false
		}
		end, plain := stringEnd(b, i)
		if end < 0 || !plain {
			return out, false
		}
		key := b[i+1 : end-1]
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return out, false
		}
		i = skipWS(b, i+1)
		vEnd := valueEnd(b, i)
		if vEnd < 0 {
			return out, false
		}
		k := ""
		if len(key) > 0 {
			// The key aliases the request's bytes, which do not change
			// while the decision runs; it is only read, never kept.
			k = unsafe.String(&key[0], len(key))
		}
		out = append(out, Member{Key: k, Value: b[i:vEnd]})
		i = skipWS(b, vEnd)
		if i >= len(b) {
			return out, false
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return out, true
		default:
			return out, false
		}
	}
}

// rawElements appends the element spans of the array span b to out.
func rawElements(b []byte, out [][]byte) ([][]byte, bool) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '[' {
		return out, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return out, true
	}
	for {
		end := valueEnd(b, i)
		if end < 0 {
			return out, false
		}
		out = append(out, b[i:end])
		i = skipWS(b, end)
		if i >= len(b) {
			return out, false
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			return out, true
		default:
			return out, false
		}
	}
}

// lastMember returns the span of the last member named key (a duplicate key
// decodes to its last value), and whether there is one.
func lastMember(ms []Member, key string) ([]byte, bool) {
	for j := len(ms) - 1; j >= 0; j-- {
		if ms[j].Key == key {
			return ms[j].Value, true
		}
	}
	return nil, false
}

// isLast reports whether ms[i] is the last member with its key.
func isLast(ms []Member, i int) bool {
	for j := len(ms) - 1; j > i; j-- {
		if ms[j].Key == ms[i].Key {
			return false
		}
	}
	return true
}

// skipWS returns the index of the first non-space byte at or after i.
func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] and
// whether it is plain (printable ASCII, no escapes); -1 when unterminated.
func stringEnd(b []byte, i int) (int, bool) {
	plain := true
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, plain
		case c == '\\':
			plain = false
			i++
		case c < 0x20 || c >= 0x80:
			plain = false
		}
	}
	return -1, false
}

// skipString returns the index just past the string starting at b[i], or
// -1 when it is unterminated. It jumps from quote to quote: most of a
// request's bytes are in strings.
func skipString(b []byte, i int) int {
	i++
	// Most keys and many values are short: look at a few bytes before
	// paying for a call to IndexByte.
	for end := min(i+16, len(b)); i < end; i++ {
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			goto long
		}
	}
long:
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		end := i + j
		bs := 0 // backslashes right before the quote
		for k := end - 1; k >= i && b[k] == '\\'; k-- {
			bs++
		}
		i = end + 1
		if bs%2 == 0 {
			return i
		}
	}
}

// valueEnd returns the index just past the value starting at b[i], matching
// brackets and strings; -1 when the input ends first.
func valueEnd(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			end := skipString(b, i)
			if end < 0 {
				return -1
			}
			i = end
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of a scalar right before a closer
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	if depth > 0 {
		return -1
	}
	return i
}

// isNull reports whether a span is JSON null.
func isNull(b []byte) bool { return string(b) == "null" }

// isObject and isArray report a span's kind by its first byte.
func isObject(b []byte) bool { return len(b) > 0 && b[0] == '{' }
func isArray(b []byte) bool  { return len(b) > 0 && b[0] == '[' }

// rawScalar decodes a scalar span as the request decoder does: integers
// that fit as int64, other numbers as float64, strings with escapes through
// encoding/json.
func rawScalar(b []byte) (any, bool) {
	switch {
	case len(b) == 0:
		return nil, false
	case b[0] == '"':
		if end, plain := stringEnd(b, 0); plain && end == len(b) {
			return string(b[1 : len(b)-1]), true
		}
		var s string
		if json.Unmarshal(b, &s) != nil {
			return nil, false
		}
		return s, true
	case string(b) == "true":
		return true, true
	case string(b) == "false":
		return false, true
	case string(b) == "null":
		return nil, true
	case b[0] == '-' || '0' <= b[0] && b[0] <= '9':
		if !bytes.ContainsAny(b, ".eE") {
			if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
				return n, true
			}
		}
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return nil, false
		}
		return f, true
	}
	return nil, false
}

// rawInt returns an integer span that fits an int64.
func rawInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	neg := b[0] == '-'
	d := b
	if neg {
		d = b[1:]
	}
	if len(d) == 0 || len(d) > 1 && d[0] == '0' {
		return 0, false
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
