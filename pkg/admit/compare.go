package admit

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gitward/gitward/pkg/provenance"
)

// ignoreFunc reports whether changes at p are not checked.
type ignoreFunc func(p Path) bool

// noQuantityKeys are keys below which strings are never compared as
// quantities: their values are opaque text the API server stores as sent.
var noQuantityKeys = map[string]bool{
	"metadata": true, "labels": true, "annotations": true, "data": true, "stringData": true,
	"binaryData": true, "env": true, "args": true, "command": true,
}

// compareDeclared returns one error for every field Git declares (in git)
// whose value in req differs semantically. Fields Git does not declare are
// not looked at: the API server adds defaults.
func compareDeclared(git, req map[string]any, ignore ignoreFunc) field.ErrorList {
	c := comparer{ignore: ignore}
	stack := make(Path, 0, 16)
	for k, g := range git {
		if skipTopLevel(k) {
			continue
		}
		r, ok := req[k]
		c.walk(append(stack, Segment{Key: k}), g, r, ok, !noQuantityKeys[k])
	}
	sortErrors(c.errs)
	return c.errs
}

// sortErrors orders errors by field, for stable messages.
func sortErrors(errs field.ErrorList) {
	if len(errs) > 1 {
		slices.SortFunc(errs, func(a, b *field.Error) int { return strings.Compare(a.Field, b.Field) })
	}
}

// skipTopLevel reports whether a top-level key is not compared: the type
// (the key already matched it) and status.
func skipTopLevel(k string) bool { return k == "apiVersion" || k == "kind" || k == "status" }

// comparer walks Git's object beside the request's.
type comparer struct {
	ignore ignoreFunc
	errs   field.ErrorList
}

// walk compares Git's value g at p with the request's r (present says
// whether the request has the field at all). p is a stack the walk extends
// in place; it is copied only when an error is recorded.
func (c *comparer) walk(p Path, g, r any, present, quantities bool) {
	if g == nil || c.ignore != nil && c.ignore(p) || contractKey(p) {
		return
	}
	if gm, ok := g.(map[string]any); ok && (!present || r == nil) {
		for k, v := range gm {
			c.walk(append(p, Segment{Key: k}), v, nil, false, quantities && !noQuantityKeys[k])
		}
		return
	}
	if !present || r == nil {
		if !isZero(g) {
			c.errs = append(c.errs, missing(p, g))
		}
		return
	}
	switch gv := g.(type) {
	case map[string]any:
		rm, ok := r.(map[string]any)
		if !ok {
			c.errs = append(c.errs, differs(p, g, r))
			return
		}
		for k, v := range gv {
			rv, ok := rm[k]
			c.walk(append(p, Segment{Key: k}), v, rv, ok, quantities && !noQuantityKeys[k])
		}
	case []any:
		rl, ok := r.([]any)
		if !ok || len(rl) != len(gv) {
			c.errs = append(c.errs, differs(p, g, r))
			return
		}
		for i := range gv {
			c.walk(append(p, Segment{Index: i, IsIndex: true}), gv[i], rl[i], true, quantities)
		}
	default:
		if !equalScalar(g, r, quantities) {
			c.errs = append(c.errs, differs(p, g, r))
		}
	}
}

// contractKey reports whether p is one of the provenance keys, which the
// rendering does not hold and the rules check on their own.
func contractKey(p Path) bool {
	if len(p) != 3 || p[0].Key != "metadata" {
		return false
	}
	switch p[1].Key {
	case "labels":
		return p[2].Key == provenance.LabelSource
	case "annotations":
		return p[2].Key == provenance.AnnotationCommit || p[2].Key == provenance.AnnotationDigest ||
			p[2].Key == provenance.LastAppliedAnnotation
	}
	return false
}

// differs is the error for a field whose requested value is not Git's.
func differs(p Path, git, req any) *field.Error {
	return &field.Error{Type: field.ErrorTypeInvalid, Field: p.String(), BadValue: req, Detail: formatValue(git)}
}

// missing is the error for a field Git declares and the request leaves out.
func missing(p Path, git any) *field.Error {
	return &field.Error{Type: field.ErrorTypeRequired, Field: p.String(), Detail: formatValue(git)}
}
