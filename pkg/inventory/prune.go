package inventory

import (
	"context"
	"errors"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/metadata"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/provenance"
)

// ErrEmptyRender is returned when the rendering declares nothing and
// AllowEmpty is not set: pruning would delete everything.
var ErrEmptyRender = errors.New("the rendering is empty; refusing to prune everything (set allowEmpty to allow it)")

// Reasons an inventory object was not deleted.
const (
	ReasonNoOptIn   = "NamespaceOrCRDWithoutOptIn" // kept: needs gitward.dev/prune: allow
	ReasonUnlabeled = "NotLabelledForSource"       // dropped: not ours (label missing or another source)
	ReasonDetect    = "DetectOnly"                 // kept: detect-only mode
	// ReasonKindNotServed: kept, the cluster serves the kind no more (or
	// not yet) and nothing proves that its objects are gone; retried.
	ReasonKindNotServed = "KindNotServed"
)

// PrunerOptions configures a Pruner.
type PrunerOptions struct {
	Metadata metadata.Interface
	// Mapper maps inventory kinds; a meta.ResettableRESTMapper is reset at
	// most once per Prune when it does not know a kind (see apply.ResetOnce).
	Mapper meta.RESTMapper
	// Discovery, when set, lets Prune drop the entries of a kind that is
	// definitively gone (its CRD deleted); without it they are kept with
	// ReasonKindNotServed. It should not cache.
	Discovery   Discovery
	Source      string
	Mode        apply.Mode // ModeDetect deletes nothing
	Concurrency int
}

// Pruner deletes the objects of a source that Git no longer declares.
type Pruner struct{ o PrunerOptions }

// NewPruner returns a Pruner.
func NewPruner(o PrunerOptions) (*Pruner, error) {
	if o.Metadata == nil || o.Mapper == nil {
		return nil, errors.New("inventory: PrunerOptions.Metadata and Mapper are required")
	}
	if err := provenance.ValidateSource(o.Source); err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Mode == "" {
		o.Mode = apply.ModeEnforce
	}
	return &Pruner{o: o}, nil
}

// Kept is an inventory object that was not deleted, and why.
type Kept struct {
	Ref    apply.Ref
	Reason string
}

// PruneResult is what Prune did. Inventory is the new inventory to save:
// the declared objects plus every object that was kept or failed.
type PruneResult struct {
	Pruned    []apply.Ref
	Kept      []Kept
	Failed    []*apply.ObjectError
	Inventory Set
}

// Prune deletes the objects of inventory that are not in declared, under
// the rules of the package documentation. Non-first-phase kinds go first,
// Namespaces and CRDs last.
func (p *Pruner) Prune(ctx context.Context, inventory Set, declared []apply.Ref, allowEmpty bool) (*PruneResult, error) {
	res := &PruneResult{Inventory: NewSet(declared...)}
	if len(declared) == 0 && len(inventory) > 0 && !allowEmpty {
		res.Inventory = Union(inventory)
		return res, ErrEmptyRender
	}
	var rest, last []apply.Ref
	for _, r := range inventory.Sorted() {
		if res.Inventory.Has(r) {
			continue
		}
		if isNamespaceOrCRD(r) {
			last = append(last, r)
		} else {
			rest = append(rest, r)
		}
	}
	kinds := p.newKinds()
	var mu sync.Mutex
	for _, batch := range [][]apply.Ref{rest, last} {
		p.forEach(ctx, batch, func(r apply.Ref) {
			outcome, reason, err := p.pruneOne(ctx, kinds, r)
			mu.Lock()
			defer mu.Unlock()
			switch outcome {
			case outcomeDeleted:
				res.Pruned = append(res.Pruned, r)
			case outcomeGone:
			case outcomeDropped:
				res.Kept = append(res.Kept, Kept{Ref: r, Reason: reason})
			case outcomeKept:
				res.Kept = append(res.Kept, Kept{Ref: r, Reason: reason})
				res.Inventory[r] = struct{}{}
			case outcomeFailed:
				res.Failed = append(res.Failed, &apply.ObjectError{Ref: r, Err: fmt.Errorf("prune: %w", err)})
				res.Inventory[r] = struct{}{}
			}
		})
	}
	return res, ctx.Err()
}

type outcome int

const (
	outcomeDeleted outcome = iota // deleted now
	outcomeGone                   // already gone
	outcomeDropped                // not ours: left alone and forgotten
	outcomeKept                   // left alone, remembered
	outcomeFailed                 // delete failed, remembered for a retry
	outcomeStale                  // the mapping was stale: decide again
)

func (p *Pruner) pruneOne(ctx context.Context, kinds *kinds, r apply.Ref) (outcome, string, error) {
	out, reason, err := p.pruneWith(ctx, kinds, r)
	if out == outcomeStale {
		// The API server does not serve the resource the mapper named: the
		// mapper was behind (a CRD deleted or a version no longer served).
		// Reset it, once per Prune, and decide again with what it knows now.
		kinds.invalidate()
		if out, reason, err = p.pruneWith(ctx, kinds, r); out == outcomeStale {
			out, reason = outcomeKept, ReasonKindNotServed
		}
	}
	return out, reason, err
}

func (p *Pruner) pruneWith(ctx context.Context, kinds *kinds, r apply.Ref) (outcome, string, error) {
	m, state, err := kinds.resolve(ctx, r.GroupKind())
	switch {
	case err != nil:
		return outcomeFailed, "", err
	case state == kindGone:
		return outcomeGone, "", nil // see kinds: no object of the kind exists
	case state == kindHidden:
		return outcomeKept, ReasonKindNotServed, nil
	}
	ri := p.o.Metadata.Resource(m.Resource)
	var client metadata.ResourceInterface = ri
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		client = ri.Namespace(r.Namespace)
	}
	live, err := client.Get(ctx, r.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return gone(err, r)
	}
	if err != nil {
		return outcomeFailed, "", err
	}
	if live.Labels[provenance.LabelSource] != p.o.Source {
		return outcomeDropped, ReasonUnlabeled, nil
	}
	if isNamespaceOrCRD(r) && live.Annotations[provenance.AnnotationPruneOptIn] != provenance.PruneAllow {
		return outcomeKept, ReasonNoOptIn, nil
	}
	if p.o.Mode == apply.ModeDetect {
		return outcomeKept, ReasonDetect, nil
	}
	policy := metav1.DeletePropagationBackground
	err = client.Delete(ctx, r.Name, metav1.DeleteOptions{
		Preconditions:     &metav1.Preconditions{UID: &live.UID},
		PropagationPolicy: &policy,
	})
	switch {
	case apierrors.IsNotFound(err):
		return gone(err, r)
	case err != nil:
		return outcomeFailed, "", err
	}
	return outcomeDeleted, "", nil
}

// gone reads a 404. The API server names the object in a 404 about an
// object; a 404 about the resource itself (a path it does not serve) names
// nothing, and says only that the mapping was stale, not that the object is
// gone: it may still be stored.
func gone(err error, r apply.Ref) (outcome, string, error) {
	var st apierrors.APIStatus
	if errors.As(err, &st) {
		if d := st.Status().Details; d != nil && d.Name == r.Name {
			return outcomeGone, "", nil
		}
	}
	return outcomeStale, "", nil
}

func (p *Pruner) forEach(ctx context.Context, refs []apply.Ref, fn func(apply.Ref)) {
	sem := make(chan struct{}, p.o.Concurrency)
	var wg sync.WaitGroup
	for _, r := range refs {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(r)
		}()
	}
	wg.Wait()
}

func isNamespaceOrCRD(r apply.Ref) bool {
	return (r.Group == "" && r.Kind == "Namespace") ||
		(r.Group == "apiextensions.k8s.io" && r.Kind == "CustomResourceDefinition")
}
