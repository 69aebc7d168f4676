package apply

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// restMapping maps gk at version. When the mapper answers with a no-match
// error and is a meta.ResettableRESTMapper, it resets the mapper, at most
// once per Apply, and asks again: a CRD installed after the Applier was
// built (by hand, by another source) is then seen without a restart.
func (a *Applier) restMapping(gk schema.GroupKind, version string) (*meta.RESTMapping, error) {
	m, err := a.o.Mapper.RESTMapping(gk, version)
	if err == nil || !meta.IsNoMatchError(err) {
		return m, err
	}
	r, ok := a.o.Mapper.(meta.ResettableRESTMapper)
	if !ok {
		return m, err
	}
	a.mu.Lock()
	if !a.refreshed {
		a.refreshed = true
		r.Reset()
	}
	a.mu.Unlock()
	return a.o.Mapper.RESTMapping(gk, version)
}

// endCycle allows the next no-match error to reset the mapper again.
func (a *Applier) endCycle() {
	a.mu.Lock()
	a.refreshed = false
	a.mu.Unlock()
}
