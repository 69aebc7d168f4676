package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitward/gitward/pkg/gitrepo"
)

// Sentinel errors of a cycle; the status reason names them.
var (
	// ErrFetch: the repository could not be cloned or fetched.
	ErrFetch = errors.New("fetch failed")
	// ErrSignature: the head commit is unsigned or not signed by a key of
	// the keyring.
	ErrSignature = errors.New("head commit signature not trusted")
	// ErrRender: the source could not be rendered at the head (this includes
	// refused revisions: a symlink or ../ path leaving the repository).
	ErrRender = errors.New("render failed")
	// ErrApply: some objects could not be applied.
	ErrApply = errors.New("apply failed")
	// ErrPrune: some objects could not be pruned, or pruning was refused.
	ErrPrune = errors.New("prune failed")
)

// fetch clones the repository on first use, then fetches the branch, within
// FetchTimeout, and returns the branch head.
func (s *Syncer) fetch(ctx context.Context) (plumbing.Hash, error) {
	ctx, cancel := context.WithTimeout(ctx, s.o.FetchTimeout)
	defer cancel()
	src := s.o.Source
	if s.repo == nil {
		// A restarted agent finds the work folder of its previous run:
		// CloneOrReuse keeps a sound clone and replaces anything else, so
		// a restart never wedges on what a kill left behind.
		repo, reuse, err := gitrepo.CloneOrReuse(ctx, gitrepo.CloneOptions{
			URL: src.Repo, Dir: s.o.WorkDir, Branch: src.Branch, Depth: s.o.Depth, Auth: s.o.Auth,
		})
		s.logReuse(reuse)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%w: %w", ErrFetch, err)
		}
		s.repo = repo
	} else if err := s.repo.Fetch(ctx, gitrepo.FetchOptions{Branch: src.Branch, Depth: s.o.Depth}); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w: %w", ErrFetch, err)
	}
	head, err := s.repo.Head(src.Branch)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w: %w", ErrFetch, err)
	}
	return head, nil
}

// logReuse logs what CloneOrReuse found in the work folder: a replaced
// folder is worth an operator's attention, a reused one is not.
func (s *Syncer) logReuse(r gitrepo.Reuse) {
	log := s.o.Log.WithValues("source", s.o.Source.Name, "workDir", s.o.WorkDir)
	for _, p := range r.Leftovers {
		log.Info("removed the leftover of an interrupted clone", "path", p)
	}
	if r.Replaced != nil {
		log.Info("replaced the work folder with a fresh clone", "reason", r.Replaced.Error())
	}
	if r.Reused {
		log.V(1).Info("reusing the clone in the work folder")
	}
}

// verify checks the head commit's OpenPGP signature against the keyring.
func (s *Syncer) verify(head plumbing.Hash) (string, error) {
	if s.o.Keyring == "" {
		return "", nil
	}
	c, err := s.repo.Commit(head)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if strings.TrimSpace(c.PGPSignature) == "" {
		return "", fmt.Errorf("%w: commit %s is not signed", ErrSignature, head)
	}
	entity, err := c.Verify(s.o.Keyring)
	if err != nil {
		return "", fmt.Errorf("%w: commit %s: %v", ErrSignature, head, err)
	}
	for name := range entity.Identities {
		return name, nil
	}
	return entity.PrimaryKey.KeyIdString(), nil
}

// movement describes how the head moved from the last applied commit, for
// the log and the Event: "" (not moved), "fast-forward", "rewind" (a
// force-push to an older commit), "force-push" (diverged) or "unknown"
// when the shallow history cannot tell.
func (s *Syncer) movement(last, head plumbing.Hash) string {
	if last.IsZero() || last == head {
		return ""
	}
	if ok, err := s.repo.IsAncestor(head, last); err == nil && ok {
		return "rewind"
	}
	ok, err := s.repo.IsAncestor(last, head)
	switch {
	case err != nil:
		return "unknown"
	case ok:
		return "fast-forward"
	}
	return "force-push"
}
