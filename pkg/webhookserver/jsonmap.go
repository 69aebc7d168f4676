package webhookserver

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"unsafe"
)

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// errNotObject is returned for a top-level value that is not an object.
var errNotObject = errors.New("not a JSON object")

// parseObject decodes raw, a JSON object, into map[string]any in one pass
// without reflection: integers that fit become int64, other numbers
// float64, as sigs.k8s.io/json's UnmarshalCaseSensitivePreserveInts does.
// A top-level null is a nil map. It is the hot path of every admission
// request: the embedded object and oldObject are decoded here.
func parseObject(raw []byte) (map[string]any, error) {
	p := parser{b: raw}
	p.ws()
	if p.lit("null") {
		p.ws()
		if p.i != len(p.b) {
			return nil, p.errorf("unexpected data after the top-level value")
		}
		return nil, nil
	}
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return nil, errNotObject
	}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, p.errorf("unexpected data after the top-level value")
	}
	return v.(map[string]any), nil
}

// parser is the state of one parse.
type parser struct {
	b []byte
	i int
	// alias makes plain strings point into b instead of copying them; set
	// it only when b is never modified afterwards.
	alias bool
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: "+format, append([]any{p.i}, args...)...)
}

// ws skips whitespace.
func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// lit consumes s if the input continues with it.
func (p *parser) lit(s string) bool {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

// value parses one value; whitespace before it is already skipped.
func (p *parser) value(depth int) (any, error) {
	if p.i >= len(p.b) {
		return nil, p.errorf("unexpected end of JSON input")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.str(false)
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	case p.lit("true"):
		return true, nil
	case p.lit("false"):
		return false, nil
	case p.lit("null"):
		return nil, nil
	default:
		return nil, p.errorf("invalid character %q looking for a value", c)
	}
}

// object parses {...}.
func (p *parser) object(depth int) (any, error) {
	if depth > maxDepth {
		return nil, p.errorf("exceeded max depth")
	}
	m := make(map[string]any, 4)
	if p.open('}') {
		return m, nil
	}
	for {
		if err := p.atKey(); err != nil {
			return nil, err
		}
		k, err := p.str(true)
		if err != nil {
			return nil, err
		}
		if err := p.colon(); err != nil {
			return nil, err
		}
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		m[k] = v
		if done, err := p.next('}', "an object value"); err != nil {
			return nil, err
		} else if done {
			return m, nil
		}
	}
}

// array parses [...].
func (p *parser) array(depth int) (any, error) {
	if depth > maxDepth {
		return nil, p.errorf("exceeded max depth")
	}
	l := make([]any, 0, 2)
	if p.open(']') {
		return l, nil
	}
	for {
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		l = append(l, v)
		if done, err := p.next(']', "an array element"); err != nil {
			return nil, err
		} else if done {
			return l, nil
		}
	}
}

// str parses a string. Plain ASCII without escapes aliases the input
// (keys are interned); anything else goes through encoding/json, which
// handles escapes, surrogates and invalid UTF-8 exactly as the API server's
// decoder does.
func (p *parser) str(key bool) (string, error) {
	start := p.i
	plain, err := p.strSpan()
	if err != nil {
		return "", err
	}
	if plain {
		s := p.b[start+1 : p.i-1]
		if key {
			if k, ok := commonKeys[string(s)]; ok {
				return k, nil
			}
		}
		if len(s) == 0 {
			return "", nil
		}
		if p.alias {
			return unsafe.String(&s[0], len(s)), nil
		}
		return string(s), nil
	}
	var out string
	if err := json.Unmarshal(p.b[start:p.i], &out); err != nil {
		return "", fmt.Errorf("offset %d: %w", start, err)
	}
	return out, nil
}

// strSpan moves past the string at the cursor and reports whether it is
// plain: ASCII without escapes.
func (p *parser) strSpan() (plain bool, err error) {
	p.i++ // "
	plain = true
	for p.i < len(p.b) {
		// Eight bytes at a time up to the first that is not plain ASCII.
		if p.i+8 <= len(p.b) {
			m := notPlain(binary.LittleEndian.Uint64(p.b[p.i:]))
			if m == 0 {
				p.i += 8
				continue
			}
			p.i += bits.TrailingZeros64(m) / 8
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return plain, nil
		case c == '\\':
			plain = false
			if p.i+1 < len(p.b) && p.b[p.i+1] < 0x20 {
				return false, p.errorf("invalid control character in a string")
			}
			p.i += 2
			continue
		case c < 0x20:
			return false, p.errorf("invalid control character in a string")
		case c >= 0x80:
			plain = false
		}
		p.i++
	}
	return false, p.errorf("unexpected end of JSON input in a string")
}

// number parses a JSON number: int64 when it is an integer that fits,
// float64 otherwise.
func (p *parser) number() (any, error) {
	start := p.i
	integer, s, err := p.numberSpan()
	if err != nil {
		return nil, err
	}
	if integer && len(s) < 19 {
		var n int64
		neg := s[0] == '-'
		if neg {
			s = s[1:]
		}
		for _, c := range s {
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		return n, nil
	}
	if integer {
		if n, err := strconv.ParseInt(string(s), 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil {
		return nil, fmt.Errorf("offset %d: number %s does not fit a float64: %w", start, s, err)
	}
	return f, nil
}

// numberSpan moves past a number, checking its grammar.
func (p *parser) numberSpan() (integer bool, s []byte, err error) {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	digits := p.digits()
	if digits == 0 || digits > 1 && p.b[p.i-digits] == '0' {
		return false, nil, p.errorf("invalid number")
	}
	integer = true
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		integer = false
		if p.digits() == 0 {
			return false, nil, p.errorf("invalid number: no digits after the decimal point")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		integer = false
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return false, nil, p.errorf("invalid number: no digits in the exponent")
		}
	}
	return integer, p.b[start:p.i], nil
}

// digits consumes decimal digits and returns how many.
func (p *parser) digits() int {
	n := 0
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

// notPlain flags the bytes of w (little-endian) that end a plain run in a
// string: a quote, a backslash, a control character or a byte >= 0x80. Only
// the lowest flag is exact (borrows may flag bytes above it), which is the
// one strSpan uses.
func notPlain(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (w-0x20*ones)&^w&highs | w&highs | zero(w^'"'*ones) | zero(w^'\\'*ones)
}
