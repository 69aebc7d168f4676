package webhookserver

import (
	"bytes"
	"fmt"
)

// member is one key of an object and the raw span of its value.
type member struct {
	key  string
	span []byte
}

// splitObject splits a span holding one object into its members, appended
// to out, without decoding the values. The structure between values is checked here; each
// value span is checked when it is decoded.
//
// With validate set, the values of the members it names are checked as
// they are skipped (they will not be decoded), in the same pass.
func splitObject(b []byte, out []member, validate func(key string) bool) ([]member, error) {
	p := parser{b: b}
	if p.open('}') {
		return out, p.end()
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
		var span []byte
		if validate != nil && validate(k) {
			start := p.i
			if err := p.validate(0); err != nil {
				return nil, fmt.Errorf("member %q: %w", k, err)
			}
			span = p.b[start:p.i]
		} else if span, err = p.skip(); err != nil {
			return nil, err
		}
		out = append(out, member{key: k, span: span})
		if done, err := p.next('}', "an object value"); err != nil {
			return nil, err
		} else if done {
			return out, p.end()
		}
	}
}

// splitArray splits a span holding one array into its elements' spans.
func splitArray(b []byte) ([][]byte, error) {
	p := parser{b: b}
	out := make([][]byte, 0, 4)
	if p.open(']') {
		return out, p.end()
	}
	for {
		span, err := p.skip()
		if err != nil {
			return nil, err
		}
		out = append(out, span)
		if done, err := p.next(']', "an array element"); err != nil {
			return nil, err
		} else if done {
			return out, p.end()
		}
	}
}

// end requires nothing but whitespace after the current position.
func (p *parser) end() error {
	p.ws()
	if p.i != len(p.b) {
		return p.errorf("unexpected data after a value")
	}
	return nil
}

// skip returns the span of the value at the cursor, matching brackets and
// strings without decoding; the span is checked when it is decoded.
func (p *parser) skip() ([]byte, error) {
	start := p.i
	depth := 0
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch c {
		case '"':
			if err := p.skipString(); err != nil {
				return nil, err
			}
			if depth == 0 {
				return p.b[start:p.i], nil
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return p.b[start:p.i], nil // end of a scalar, or an empty span
			}
			depth--
			if depth == 0 {
				p.i++
				return p.b[start:p.i], nil
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return p.b[start:p.i], nil
			}
		}
		p.i++
	}
	if depth > 0 {
		return nil, p.errorf("unexpected end of JSON input")
	}
	return p.b[start:p.i], nil
}

// skipString moves past the string at the cursor.
func (p *parser) skipString() error {
	p.i++
	// Most keys and many values are short: look at a few bytes before
	// paying for a call to IndexByte.
	for end := min(p.i+16, len(p.b)); p.i < end; p.i++ {
		switch p.b[p.i] {
		case '"':
			p.i++
			return nil
		case '\\':
			goto long
		}
	}
long:
	for {
		j := bytes.IndexByte(p.b[p.i:], '"')
		if j < 0 {
			p.i = len(p.b)
			return p.errorf("unexpected end of JSON input in a string")
		}
		end := p.i + j
		bs := 0 // backslashes right before the quote
		for k := end - 1; k >= p.i && p.b[k] == '\\'; k-- {
			bs++
		}
		p.i = end + 1
		if bs%2 == 0 {
			return nil
		}
	}
}
