package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// FieldError is a problem with one field of a configuration file. It wraps
// one of the package's sentinel errors.
type FieldError struct {
	File   string // file name as given to Parse
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Field  string // e.g. "environments[1].path"; empty for the whole file
	Msg    string // what is wrong and what to do
	Err    error  // sentinel
}

// Error returns "file:line:column: field: message".
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the sentinel error.
func (e *FieldError) Unwrap() error { return e.Err }

// position is where a field's value (or, for a missing field, its parent)
// starts in the file.
type position struct{ line, column int }

// errorList collects FieldErrors for one file.
type errorList struct {
	file string
	pos  map[string]position
	errs []error
	bad  map[string]bool // fields with an error already
}

// add records a problem with field, at the position of field or of its
// nearest parent that has one.
// A field gets only its first error: a value of the wrong type is not also
// reported as missing.
func (l *errorList) add(field string, sentinel error, format string, args ...any) {
	if l.bad[field] {
		return
	}
	if l.bad == nil {
		l.bad = map[string]bool{}
	}
	l.bad[field] = true
	p := l.lookup(field)
	l.errs = append(l.errs, &FieldError{
		File: l.file, Line: p.line, Column: p.column, Field: field,
		Msg: fmt.Sprintf(format, args...), Err: sentinel,
	})
}

// lookup returns the position of field, or of its nearest recorded parent.
func (l *errorList) lookup(field string) position {
	for f := field; ; {
		if p, ok := l.pos[f]; ok {
			return p
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			return l.pos[""]
		}
		f = f[:i]
	}
}

// yamlLine matches the line prefix of go.yaml.in/yaml/v3 syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError turns a YAML syntax error into a FieldError with its line.
func syntaxError(file string, err error) *FieldError {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &FieldError{File: file, Line: line, Err: ErrSyntax, Msg: msg[len(m[0]):]}
	}
	return &FieldError{File: file, Err: ErrSyntax, Msg: strings.TrimPrefix(msg, "yaml: ")}
}
