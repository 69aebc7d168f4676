package admit

import (
	"context"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// finalizersPath is metadata.finalizers.
var finalizersPath = Path{{Key: "metadata"}, {Key: "finalizers"}}

// ruleChanges requires every leaf a CREATE or UPDATE changes relative to the
// live object (nothing, for a CREATE) to be one of:
//   - declared by Git at the commit with the requested value;
//   - matched by an ignore rule, or the source label (ruleFields checks it);
//   - added by the API server itself: a default or a mutating webhook's
//     addition, which no managedFields entry of the request owns;
//   - removed, where Git declared it at the live commit and no longer does,
//     or where nobody owned it in the live object (a default the API server
//     sets again), or a finalizer leaving an object being deleted.
//
// Anything else is a change Git does not declare.
func ruleChanges(ctx context.Context, r *review) ([]string, error) {
	var errs field.ErrorList
	newOwners, oldOwners := ownersOf(objectOf(r.obj)), ownersOf(objectOf(r.old))
	if r.old != nil && ownershipShrank(oldOwners, newOwners, objectOf(r.obj)) {
		errs = append(errs, problem(Path{{Key: "metadata"}, {Key: "managedFields"}},
			"this request drops the record of who set fields it leaves in place; the webhook needs it to tell "+
				"the API server's defaults from changes"))
	}
	var liveGit map[string]any
	liveLoaded := false
	for _, c := range changedLeaves(objectOf(r.old), objectOf(r.obj)) {
		switch {
		case r.ignore != nil && r.ignore(c.Path), c.Path.HasPrefix(sourcePath):
			continue
		case c.Kind != leafRemoved && declaredAs(r.git, c.Path, c.New):
			continue
		case c.Kind == leafAdded && !newOwners.owns(objectOf(r.obj), c.Path):
			continue
		case c.Kind == leafRemoved && !oldOwners.owns(objectOf(r.old), c.Path):
			continue
		case c.Kind == leafRemoved && c.Path.HasPrefix(finalizersPath) && r.old != nil && r.obj != nil &&
			r.old.GetDeletionTimestamp() != nil && onlyRemovesFinalizers(r.old, r.obj):
			continue
		case c.Kind == leafRemoved && !declaredAt(r.git, c.Path) && r.liveCommit != "" && r.liveCommit != r.commit:
			if !liveLoaded {
				obj, _, err := r.declared(ctx, r.liveCommit)
				if err != nil {
					return nil, err
				}
				liveGit, liveLoaded = obj, true
			}
			if declaredAt(liveGit, c.Path) {
				continue
			}
		}
		errs = append(errs, undeclared(c))
	}
	return nil, deny(ReasonUndeclared, errs)
}

// declaredAs reports whether Git's object holds v at p.
func declaredAs(git map[string]any, p Path, v any) bool {
	g, ok := lookup(git, p)
	return ok && g != nil && equalJSON(g, v)
}

// declaredAt reports whether Git's object declares a non-null value at p.
func declaredAt(git map[string]any, p Path) bool {
	if git == nil {
		return false
	}
	v, ok := lookup(git, p)
	return ok && v != nil
}

// undeclared is the error for a change Git does not declare.
func undeclared(c change) *field.Error {
	var what string
	switch c.Kind {
	case leafRemoved:
		what = "this request removes it (it was " + formatValue(c.Old) + ")"
	case leafAdded:
		what = "this request sets it to " + formatValue(c.New)
	default:
		what = fmt.Sprintf("this request changes it from %s to %s", formatValue(c.Old), formatValue(c.New))
	}
	return problem(c.Path, "Git does not declare it, "+what)
}

// onlyRemovesFinalizers reports whether new's finalizers are a subset of old's.
func onlyRemovesFinalizers(old, new interface{ GetFinalizers() []string }) bool {
	was := old.GetFinalizers()
	for _, f := range new.GetFinalizers() {
		if !slices.Contains(was, f) {
			return false
		}
	}
	return true
}

// objectOf returns u's map, nil for no object.
func objectOf(u *unstructured.Unstructured) map[string]any {
	if u == nil {
		return nil
	}
	return u.Object
}
