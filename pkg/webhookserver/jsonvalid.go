package webhookserver

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// validate checks that the span at the cursor is one JSON value, without
// building it: the members parsePair leaves out are still checked, at no
// allocation.
func (p *parser) validate(depth int) error {
	if depth > maxDepth {
		return p.errorf("exceeded max depth")
	}
	if p.i >= len(p.b) {
		return p.errorf("unexpected end of JSON input")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.validateComposite(depth, '}', true)
	case c == '[':
		return p.validateComposite(depth, ']', false)
	case c == '"':
		start := p.i
		plain, err := p.strSpan()
		if err != nil || plain {
			return err
		}
		// Escapes and non-ASCII bytes: accept exactly what decoding accepts.
		if !json.Valid(p.b[start:p.i]) {
			return fmt.Errorf("offset %d: invalid string", start)
		}
		return nil
	case c == '-' || '0' <= c && c <= '9':
		start := p.i
		integer, s, err := p.numberSpan()
		if err != nil || integer && len(s) < 19 {
			return err
		}
		// Decoding fails on a number out of a float64's range.
		if _, err := strconv.ParseFloat(string(s), 64); err != nil {
			return fmt.Errorf("offset %d: number %s does not fit a float64: %w", start, s, err)
		}
		return nil
	case p.lit("true"), p.lit("false"), p.lit("null"):
		return nil
	default:
		return p.errorf("invalid character %q looking for a value", c)
	}
}

// validateComposite checks an object (keyed) or an array ending in closer.
func (p *parser) validateComposite(depth int, closer byte, keyed bool) error {
	if p.open(closer) {
		return nil
	}
	for {
		if keyed {
			if err := p.atKey(); err != nil {
				return err
			}
			if _, err := p.strSpan(); err != nil {
				return err
			}
			if err := p.colon(); err != nil {
				return err
			}
		}
		if err := p.validate(depth + 1); err != nil {
			return err
		}
		if done, err := p.next(closer, afterItem(closer)); done || err != nil {
			return err
		}
	}
}

// validSpan reports whether b is exactly one valid JSON value.
func validSpan(b []byte) error {
	p := parser{b: b}
	if err := p.validate(0); err != nil {
		return err
	}
	return p.end()
}
