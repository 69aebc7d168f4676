package webhookserver

// The steps every loop over an object or an array takes, shared by the
// decoder (object, array), the splitters (splitObject, splitArray) and the
// validator (validateComposite), so that they accept and refuse exactly the
// same structure.

// open steps past the opening bracket at p.i and reports whether the
// composite is empty (closer follows at once, and is consumed).
func (p *parser) open(closer byte) bool {
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == closer {
		p.i++
		return true
	}
	return false
}

// atKey checks that an object key starts at p.i.
func (p *parser) atKey() error {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return p.errorf("looking for an object key")
	}
	return nil
}

// colon checks the ':' after an object key and steps to the value.
func (p *parser) colon() error {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != ':' {
		return p.errorf("looking for ':' after an object key")
	}
	p.i++
	p.ws()
	return nil
}

// next steps past what follows a member or an element: a ',' (more to
// come) or closer (done, consumed). what names the item in errors ("an
// object value", "an array element").
func (p *parser) next(closer byte, what string) (done bool, err error) {
	p.ws()
	if p.i >= len(p.b) {
		return false, p.errorf("unexpected end of JSON input")
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		p.ws()
		return false, nil
	case closer:
		p.i++
		return true, nil
	}
	return false, p.errorf("invalid character %q after %s", p.b[p.i], what)
}

// afterItem names what a composite holds, for next's errors.
func afterItem(closer byte) string {
	if closer == '}' {
		return "an object value"
	}
	return "an array element"
}
