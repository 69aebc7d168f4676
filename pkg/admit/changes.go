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

// ruleChangedPaths requires every path an UPDATE changes relative to the
// live object to be declared by Git at the commit (its value was checked by
// ruleFields), ignored, or a field Git declared at the live commit and has
// stopped declaring. Finalizers may be removed from an object being deleted.
func ruleChangedPaths(ctx context.Context, r *review) ([]string, error) {
	if r.lazy != nil && lazyChangesAccepted(r) {
		return nil, nil
	}
	if err := r.full(); err != nil {
		return nil, err
	}
	var errs field.ErrorList
	var liveGit map[string]any
	liveLoaded := false
	for _, c := range changedPaths(objectOf(r.old), objectOf(r.obj)) {
		if r.acceptedChange(c.Path) {
			continue
		}
		if c.Removed && r.liveCommit != "" && r.liveCommit != r.commit {
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

// acceptedChange reports whether a change at p passes without looking at
// its values: ignored, the source label (ruleFields checks it), declared by
// Git at the commit, or finalizers leaving an object being deleted.
func (r *review) acceptedChange(p Path) bool {
	switch {
	case r.ignore != nil && r.ignore(p), p.HasPrefix(sourcePath):
		return true
	case declaredAt(r.git, p):
		return true
	case p.HasPrefix(finalizersPath) && r.old != nil && r.obj != nil && r.old.GetDeletionTimestamp() != nil &&
		onlyRemovesFinalizers(r.old, r.obj):
		return true
	}
	return false
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
	switch {
	case c.Removed:
		what = "this request removes it (it was " + formatValue(c.Old) + ")"
	case c.Old == nil:
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

// objectOf returns u's map; an UPDATE without an object or oldObject (which
// the API server never sends) compares against an empty one.
func objectOf(u *unstructured.Unstructured) map[string]any {
	if u == nil {
		return nil
	}
	return u.Object
}
