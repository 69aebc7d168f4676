package apply

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gitward/gitward/pkg/provenance"
)

// Applier applies the objects of one source. It is safe for one Apply at a
// time; it remembers, between calls, which drift candidates it found clean.
type Applier struct {
	o Options

	mu        sync.Mutex
	clean     map[types.UID]fingerprint // managed fields of objects known clean
	refreshed bool                      // the mapper was reset on a no-match in this Apply
}

// New returns an Applier; it completes and validates o.
func New(o Options) (*Applier, error) {
	o.Complete()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &Applier{o: o, clean: map[types.UID]fingerprint{}}, nil
}

// Options returns the completed options.
func (a *Applier) Options() Options { return a.o }

// item is one object on its way through Apply.
type item struct {
	Object
	ref     Ref
	gvk     schema.GroupVersionKind
	mapping *meta.RESTMapping
	digest  string
}

// Apply stamps objs with the source and commit and applies those whose
// digest differs from the live one, Namespaces and CRDs first. Per-object
// failures are in Result.Failed; the error is for the request as a whole
// (an invalid commit, a cancelled context).
func (a *Applier) Apply(ctx context.Context, commit provenance.CommitID, objs []Object) (*Result, error) {
	if _, err := provenance.ParseCommit(string(commit)); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	defer a.endCycle()
	res := &Result{Commit: commit}
	first, rest := a.partition(objs, res)
	if err := a.runPhase(ctx, commit, first, res); err != nil {
		return res, err
	}
	if err := a.waitCRDs(ctx, first, res); err != nil {
		return res, err
	}
	if err := a.runPhase(ctx, commit, rest, res); err != nil {
		return res, err
	}
	res.sort()
	return res, ctx.Err()
}

// partition checks identities, drops duplicates and splits objs into the
// first phase (Namespaces, CRDs) and the rest.
func (a *Applier) partition(objs []Object, res *Result) (first, rest []*item) {
	seen := make(map[Ref]string, len(objs))
	for _, o := range objs {
		if o.Object == nil {
			continue
		}
		it := &item{Object: o, gvk: o.Object.GroupVersionKind(), ref: RefOf(o.Object)}
		switch {
		case it.gvk.Kind == "" || it.gvk.Version == "":
			res.Failed = append(res.Failed, &ObjectError{Ref: it.ref, File: o.File,
				Err: fmt.Errorf("%w: apiVersion and kind are required", ErrInvalidObject)})
			continue
		case o.Object.GetName() == "":
			res.Failed = append(res.Failed, &ObjectError{Ref: it.ref, File: o.File,
				Err: fmt.Errorf("%w: metadata.name is required", ErrInvalidObject)})
			continue
		}
		if prev, dup := seen[it.ref]; dup {
			res.Failed = append(res.Failed, &ObjectError{Ref: it.ref, File: o.File,
				Err: fmt.Errorf("%w: also declared in %s", ErrDuplicate, prev)})
			continue
		}
		seen[it.ref] = o.File
		if isFirstPhase(it.gvk.GroupKind()) {
			first = append(first, it)
		} else {
			rest = append(rest, it)
		}
	}
	return first, rest
}

// prepare maps it to its resource, fixes its namespace to the resource's
// scope and stamps it. It returns false after recording a failure.
// mappings holds the kinds this phase has mapped already: thousands of
// objects share a few kinds, and each look-up in a discovery mapper costs
// tens of microseconds before the first apply can start.
func (a *Applier) prepare(it *item, commit provenance.CommitID, res *Result, mappings map[schema.GroupVersionKind]*meta.RESTMapping) bool {
	m := mappings[it.gvk]
	if m == nil {
		var err error
		if m, err = a.restMapping(it.gvk.GroupKind(), it.gvk.Version); err != nil {
			a.fail(res, it, fmt.Errorf("%w: %s: %v", ErrUnknownKind, it.gvk, err))
			return false
		}
		mappings[it.gvk] = m
	}
	it.mapping = m
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		if it.Object.Object.GetNamespace() == "" {
			it.Object.Object.SetNamespace(a.o.DefaultNamespace)
		}
	} else {
		it.Object.Object.SetNamespace("")
	}
	it.ref = RefOf(it.Object.Object)
	if err := provenance.Stamp(it.Object.Object, a.o.Source, commit); err != nil {
		a.fail(res, it, err)
		return false
	}
	it.digest = it.Object.Object.GetAnnotations()[provenance.AnnotationDigest]
	return true
}

func (a *Applier) fail(res *Result, it *item, err error) {
	res.Failed = append(res.Failed, &ObjectError{Ref: it.ref, File: it.File, Err: err})
}
