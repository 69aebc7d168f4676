package apply

import (
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// A REST mapper built on discovery caches what the API server served when
// it first looked. A CRD installed later (by hand, by another source, by
// this source's own first phase) is unknown to it until it is reset, and a
// reset costs a new discovery. So a no-match answer resets the mapper, at
// most once per cycle, and asks again: a kind that appeared is then found,
// and a kind that is really not served costs one discovery per cycle, not
// one per object. The Applier and the inventory's Pruner share this path.

// ResetOnce maps kinds through Mapper and, when Mapper answers with a
// no-match error and is a meta.ResettableRESTMapper, resets it at most once
// until End and asks again. It is safe for concurrent use.
type ResetOnce struct {
	// Mapper maps kinds to resources. Required.
	Mapper meta.RESTMapper

	mu   sync.Mutex
	done bool
}

// RESTMapping maps gk at the first of versions that is served (any served
// version when none is given).
func (r *ResetOnce) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return mapResettingOnce(r.Mapper, r.resetOnce, gk, versions...)
}

// Invalidate resets the mapper, unless it was reset since End, after a
// mapping it gave turned out stale: the API server answered 404 for the
// resource itself (a CRD deleted, a version no longer served).
func (r *ResetOnce) Invalidate() {
	if rm, ok := r.Mapper.(meta.ResettableRESTMapper); ok {
		r.resetOnce(rm.Reset)
	}
}

// End allows the next no-match error to reset the mapper again.
func (r *ResetOnce) End() {
	r.mu.Lock()
	r.done = false
	r.mu.Unlock()
}

// resetOnce runs reset unless it already ran since End. The reset runs
// under the lock, so that a concurrent caller asks the mapper again only
// after it has been reset.
func (r *ResetOnce) resetOnce(reset func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.done {
		r.done = true
		reset()
	}
}

// mapResettingOnce is the shared path: map, and on a no-match let once
// decide whether to reset the mapper, then map again.
func mapResettingOnce(m meta.RESTMapper, once func(reset func()), gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	mapping, err := m.RESTMapping(gk, versions...)
	if err == nil || !meta.IsNoMatchError(err) {
		return mapping, err
	}
	r, ok := m.(meta.ResettableRESTMapper)
	if !ok {
		return mapping, err
	}
	once(r.Reset)
	return m.RESTMapping(gk, versions...)
}

// restMapping maps gk at version through the shared path, resetting the
// mapper at most once per Apply (the Applier's own flag, cleared by
// endCycle when Apply returns).
func (a *Applier) restMapping(gk schema.GroupKind, version string) (*meta.RESTMapping, error) {
	return mapResettingOnce(a.o.Mapper, a.resetOnce, gk, version)
}

// resetOnce runs reset unless it already ran in this Apply.
func (a *Applier) resetOnce(reset func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.refreshed {
		a.refreshed = true
		reset()
	}
}

// endCycle allows the next no-match error to reset the mapper again.
func (a *Applier) endCycle() {
	a.mu.Lock()
	a.refreshed = false
	a.mu.Unlock()
}

// forgetMappings resets the mapper, at most once per Apply, after the
// server answered that a mapped resource does not exist.
func (a *Applier) forgetMappings() {
	if r, ok := a.o.Mapper.(meta.ResettableRESTMapper); ok {
		a.resetOnce(r.Reset)
	}
}
