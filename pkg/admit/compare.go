package admit

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gitward/gitward/pkg/provenance"
)

// ignoreFunc reports whether changes at p are not checked.
type ignoreFunc func(p Path) bool

// compareDeclared returns one error for every leaf Git declares (in git)
// that the request (req) lacks or holds another value at. The comparison is
// exact: Git's object is normalised as the API server stores it, so a zero
// value Git declares (allowPrivilegeEscalation: false, replicas: 0) must be
// in the request, and a map Git declares empty must be there as a map.
// Fields Git does not declare are the business of ruleChanges.
func compareDeclared(git, req map[string]any, ignore ignoreFunc) field.ErrorList {
	c := comparer{ignore: ignore}
	stack := make(Path, 0, 16)
	for k, g := range git {
		if skipTopLevel(k) {
			continue
		}
		r, ok := req[k]
		c.walk(append(stack, Segment{Key: k}), g, r, ok && r != nil)
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
// whether the request has a non-null value there). p is a stack the walk
// extends in place; it is copied only when an error is recorded.
func (c *comparer) walk(p Path, g, r any, present bool) {
	if g == nil || c.ignore != nil && c.ignore(p) || contractKey(p) || skipChange(p) {
		return
	}
	switch gv := g.(type) {
	case map[string]any:
		rm, ok := r.(map[string]any)
		switch {
		case !present:
			c.errs = append(c.errs, missing(p, g))
		case !ok:
			c.errs = append(c.errs, differs(p, g, r))
		default:
			for k, v := range gv {
				rv, ok := rm[k]
				c.walk(append(p, Segment{Key: k}), v, rv, ok && rv != nil)
			}
		}
	case []any:
		rl, ok := r.([]any)
		switch {
		case !present:
			c.errs = append(c.errs, missing(p, g))
		case !ok || len(rl) < len(gv):
			c.errs = append(c.errs, differs(p, g, r))
		default:
			for i := range gv {
				c.walk(append(p, Segment{Index: i, IsIndex: true}), gv[i], rl[i], rl[i] != nil)
			}
		}
	default:
		switch {
		case !present:
			c.errs = append(c.errs, missing(p, g))
		case !equalScalar(g, r):
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
