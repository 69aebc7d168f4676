package apply

import (
	"errors"
	"sort"

	"k8s.io/apimachinery/pkg/types"

	"github.com/gitward/gitward/pkg/provenance"
)

// Result is what one Apply did.
type Result struct {
	// Commit is the commit stamped on the applied objects.
	Commit provenance.CommitID
	// Declared lists every object the rendering declared that had a valid
	// identity (failed ones included): the inventory of this commit.
	Declared []Ref
	// Applied lists the objects written (created, changed or healed).
	Applied []Ref
	// Unchanged counts objects whose live digest matched and that had not
	// drifted.
	Unchanged int
	// Pending lists, in ModeDetect, the objects that would be applied.
	Pending []Ref
	// Adopted lists the objects this apply took over: they existed without
	// this source's label (made by hand, by kubectl or Helm, or by another
	// tool) and are now stamped and guarded.
	Adopted []Adoption
	// Drifted lists objects whose Git-declared fields were changed by
	// someone else.
	Drifted []Drift
	// Failed lists the objects that could not be applied or checked.
	Failed []*ObjectError
	// Resources lists the resources of the declared objects.
	Resources []Resource
	// Entries summarises every object that could be prepared (mapped and
	// stamped), for a later InSync.
	Entries []Entry
}

// Drift is an object whose Git-declared fields differ from the live object
// although its digest annotation is current.
type Drift struct {
	Ref  Ref    `json:"ref"`
	File string `json:"file,omitempty"`
	// Managers are the field managers that own the drifted fields (or, when
	// the server does not say, every manager besides gitward).
	Managers []string `json:"managers,omitempty"`
	// Fields are the drifted field paths when the server names them.
	Fields []string `json:"fields,omitempty"`
	// Corrected reports that the object was re-applied.
	Corrected bool `json:"corrected"`
}

// Adoption is an object taken over by an apply.
type Adoption struct {
	Ref  Ref    `json:"ref"`
	File string `json:"file,omitempty"`
	// Managers are the field managers that had written the object before
	// (from its managedFields, status left out), sorted.
	Managers []string `json:"managers"`
	// APIVersion and UID name the live object, for an Event on it.
	APIVersion string    `json:"-"`
	UID        types.UID `json:"-"`
}

// Err joins the per-object errors; nil when none failed.
func (r *Result) Err() error {
	if len(r.Failed) == 0 {
		return nil
	}
	errs := make([]error, len(r.Failed))
	for i, e := range r.Failed {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// sort orders every list by object, for stable reports.
func (r *Result) sort() {
	less := func(a, b Ref) bool { return a.String() < b.String() }
	sort.Slice(r.Declared, func(i, j int) bool { return less(r.Declared[i], r.Declared[j]) })
	sort.Slice(r.Applied, func(i, j int) bool { return less(r.Applied[i], r.Applied[j]) })
	sort.Slice(r.Pending, func(i, j int) bool { return less(r.Pending[i], r.Pending[j]) })
	sort.Slice(r.Adopted, func(i, j int) bool { return less(r.Adopted[i].Ref, r.Adopted[j].Ref) })
	sort.Slice(r.Drifted, func(i, j int) bool { return less(r.Drifted[i].Ref, r.Drifted[j].Ref) })
	sort.Slice(r.Failed, func(i, j int) bool { return less(r.Failed[i].Ref, r.Failed[j].Ref) })
}
