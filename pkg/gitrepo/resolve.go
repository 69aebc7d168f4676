package gitrepo

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Head returns the commit at the head of branch ("" means the default branch,
// as for Fetch). Which ref it reads:
//
//   - bare repository (every Clone): refs/remotes/origin/<branch>, the head
//     the last Fetch saw; if there is none, refs/heads/<branch> (a bare
//     repository that is pushed to, like a server's);
//   - checkout (Open of a working tree): refs/heads/<branch>, the local
//     branch; if there is none, refs/remotes/origin/<branch>.
//
// To read the other one, Resolve "origin/<branch>" or "refs/heads/<branch>".
func (r *Repo) Head(branch string) (plumbing.Hash, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	branch, err := r.defaultBranch(branch)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("head: %w", err)
	}
	local := plumbing.NewBranchReferenceName(branch)
	remote := plumbing.NewRemoteReferenceName(RemoteName, branch)
	order := []plumbing.ReferenceName{local, remote}
	if r.bare {
		order = []plumbing.ReferenceName{remote, local}
	}
	for _, name := range order {
		ref, err := r.repo.Reference(name, true)
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			continue
		}
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("head of branch %q: read %s: %w", branch, name, err)
		}
		return ref.Hash(), nil
	}
	return plumbing.ZeroHash, fmt.Errorf("head of branch %q: neither %s nor %s exists (fetch the branch first): %w",
		branch, order[0], order[1], ErrRevisionNotFound)
}

// Resolve returns the commit that rev names, as git rev-parse does: a full
// or abbreviated hash, HEAD, a branch, a remote-tracking branch
// ("origin/main"), a tag (annotated tags are peeled), a full ref name, and
// the suffixes ~N, ^ and ^N ("HEAD~2", "main^2"). A hash wins over a ref of
// the same name. Clones have no tags (see Clone).
func (r *Repo) Resolve(rev string) (plumbing.Hash, error) {
	if rev == "" {
		return plumbing.ZeroHash, fmt.Errorf("resolve: empty revision: %w", ErrRevisionNotFound)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	h, err := r.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return plumbing.ZeroHash, fmt.Errorf("resolve %q: a commit on the way is missing (shallow clone?): %w", rev, ErrShallowHistory)
		}
		return plumbing.ZeroHash, fmt.Errorf("resolve %q: %w (%v)", rev, ErrRevisionNotFound, err)
	}
	return *h, nil
}

// Commit returns the commit object h. The error wraps ErrCommitNotFound when
// it is not in the local repository.
func (r *Repo) Commit(h plumbing.Hash) (*object.Commit, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.commit(h)
}

// commit is Commit for callers that hold r.mu.
func (r *Repo) commit(h plumbing.Hash) (*object.Commit, error) {
	c, err := object.GetCommit(r.repo.Storer, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, fmt.Errorf("commit %s: %w", h, ErrCommitNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", h, err)
	}
	return c, nil
}
