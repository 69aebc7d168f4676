package agent

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/provenance"
)

// rendering is what the Syncer keeps of its last successful rendering:
// not the objects, only their identities, digests, files and declared
// fields (apply.Entry), and the look-ups the rendering made in the tree.
type rendering struct {
	commit  plumbing.Hash
	path    string
	deps    deps
	entries []apply.Entry
}

// reuse skips the render when it cannot have changed: the head is the
// commit last rendered, or every file and folder the last rendering looked
// at is the same at the head. It then checks the live objects against the
// kept entries (one metadata-only list per resource); when they are in
// sync it returns the Result of an Apply that would have written nothing.
// Anything else (a changed file, a missing or changed object, a field
// another manager took) answers false and the cycle renders.
func (s *Syncer) reuse(ctx context.Context, head plumbing.Hash, st *Status, rep *Report) (*apply.Result, bool) {
	last := s.last
	if last == nil || !s.unchangedAt(head) {
		return nil, false
	}
	res, ok, err := s.applier.InSync(ctx, last.entries)
	if err != nil || !ok {
		return nil, false
	}
	inv, err := s.store.Cached(ctx)
	if err != nil {
		return nil, false
	}
	if err := s.store.Save(ctx, inventory.Union(inv, res.Declared)); err != nil {
		return nil, false
	}
	res.Commit = provenance.CommitID(head.String())
	if last.commit != head {
		s.o.Log.V(1).Info("no file of the rendering changed; reusing it", "source", s.o.Source.Name, "from", short(last.commit), "to", short(head))
		last.commit = head
	}
	st.Path = last.path
	st.setCondition(CondRendered, true, "Rendered", fmt.Sprintf("%d objects at %s (no file of the rendering changed)", len(last.entries), short(head)))
	return res, true
}

// unchangedAt reports whether the last rendering holds at head.
func (s *Syncer) unchangedAt(head plumbing.Hash) bool {
	if s.last.commit == head {
		return true
	}
	tree, err := s.repo.TreeFS(head)
	if err != nil {
		return false
	}
	return s.last.deps.sameIn(tree)
}
