package gitrepo

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// IsAncestor reports whether ancestor is descendant or is reachable from it
// through parent links (git merge-base --is-ancestor).
//
// It walks the local history from descendant. When the walk cannot decide
// because it reached commits whose parents were never fetched (the boundary
// of a shallow clone), the error wraps ErrShallowHistory: Deepen and ask
// again. A descendant that is not in the repository gives ErrCommitNotFound
// (FetchCommit or Fetch it). An ancestor that is not in the repository is
// fine: in a complete history it is simply not an ancestor.
func (r *Repo) IsAncestor(ancestor, descendant plumbing.Hash) (bool, error) {
	if ancestor == descendant {
		return true, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	shallow, err := r.repo.Storer.Shallow()
	if err != nil {
		return false, fmt.Errorf("is %s an ancestor of %s: read the shallow list: %w", ancestor, descendant, err)
	}
	start, err := r.commit(descendant)
	if err != nil {
		return false, fmt.Errorf("is %s an ancestor of %s: %w", ancestor, descendant, err)
	}
	if len(shallow) == 0 && !r.hasObject(ancestor) {
		return false, nil
	}

	seen := map[plumbing.Hash]bool{descendant: true}
	queue := []*object.Commit{start}
	var missing plumbing.Hash // a parent the walk could not read
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, p := range c.ParentHashes {
			if p == ancestor {
				return true, nil
			}
			if seen[p] {
				continue
			}
			seen[p] = true
			pc, err := object.GetCommit(r.repo.Storer, p)
			if errors.Is(err, plumbing.ErrObjectNotFound) {
				missing = p
				continue
			}
			if err != nil {
				return false, fmt.Errorf("is %s an ancestor of %s: read commit %s: %w", ancestor, descendant, p, err)
			}
			queue = append(queue, pc)
		}
	}
	switch {
	case missing.IsZero():
		return false, nil
	case len(shallow) > 0:
		return false, fmt.Errorf("is %s an ancestor of %s: the local history ends at the shallow boundary "+
			"(parent %s was not fetched); deepen the clone: %w", ancestor, descendant, missing, ErrShallowHistory)
	default:
		return false, fmt.Errorf("is %s an ancestor of %s: parent %s is missing from a repository that is not shallow: %w",
			ancestor, descendant, missing, ErrCommitNotFound)
	}
}

// hasObject reports whether h is in the object store. The caller holds r.mu.
func (r *Repo) hasObject(h plumbing.Hash) bool {
	return r.repo.Storer.HasEncodedObject(h) == nil
}

// FirstParents walks the first-parent history of from (from itself first)
// and calls visit with each commit until visit returns false, the root is
// reached, or limit commits were visited. It reports whether the walk was
// cut short by limit or by the boundary of a shallow clone.
func (r *Repo) FirstParents(from plumbing.Hash, limit int, visit func(plumbing.Hash) bool) (truncated bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := from
	for n := 0; ; n++ {
		if n == limit {
			return true, nil
		}
		if !visit(h) {
			return false, nil
		}
		c, err := object.GetCommit(r.repo.Storer, h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			if n == 0 {
				return false, fmt.Errorf("first parents of %s: %w", from, ErrCommitNotFound)
			}
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("first parents of %s: read commit %s: %w", from, h, err)
		}
		if len(c.ParentHashes) == 0 {
			return false, nil
		}
		h = c.ParentHashes[0]
	}
}
