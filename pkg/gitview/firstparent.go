package gitview

import (
	"fmt"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitward/gitward/pkg/provenance"
)

// maxFirstParents bounds the first-parent history the view indexes.
const maxFirstParents = 1 << 20

// firstParents indexes the first-parent history of the branch head: the
// commits the branch itself pointed at. A commit of a branch merged into it
// is reachable from the head but not on this chain, and its content (which
// may predate what is live) was never what the branch declared.
type firstParents struct {
	mu   sync.Mutex
	head provenance.CommitID
	set  map[provenance.CommitID]bool
}

// contains reports whether c is on the first-parent history of head,
// extending the index when head moved.
func (f *firstParents) contains(v *View, c, head provenance.CommitID) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if head != f.head {
		if err := f.extend(v, head); err != nil {
			return false, err
		}
	}
	return f.set[c], nil
}

// extend indexes head's first parents down to the old head; when the old
// head is not among them (the branch was rewritten), it starts over.
func (f *firstParents) extend(v *View, head provenance.CommitID) error {
	var fresh []provenance.CommitID
	metOld := false
	_, err := v.repo.FirstParents(hashOf(head), maxFirstParents, func(h plumbing.Hash) bool {
		c := provenance.CommitID(h.String())
		if f.set[c] && c == f.head {
			metOld = true
			return false
		}
		fresh = append(fresh, c)
		return true
	})
	if err != nil {
		return fmt.Errorf("source %s: %w", v.o.Name, err)
	}
	if !metOld || f.set == nil {
		f.set = make(map[provenance.CommitID]bool, len(fresh))
	}
	for _, c := range fresh {
		f.set[c] = true
	}
	f.head = head
	return nil
}
