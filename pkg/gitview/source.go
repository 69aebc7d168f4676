package gitview

import (
	"context"
	"errors"
	"fmt"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/provenance"
)

// OnBranch implements admit.Source: c is on the branch when it is on the
// first-parent history of the head. When it is not, the branch may have
// moved since the last poll: the view fetches once (bounded, rate-limited)
// and asks again.
func (v *View) OnBranch(ctx context.Context, c provenance.CommitID) (bool, error) {
	ok, err := v.first.contains(v, c, v.currentHead())
	if ok || err != nil {
		return ok, err
	}
	head, ferr := v.fetchNow(ctx, "miss")
	if ferr != nil {
		return false, ferr
	}
	return v.first.contains(v, c, head)
}

// IsAncestor implements admit.Source.
func (v *View) IsAncestor(_ context.Context, a, b provenance.CommitID) (bool, error) {
	if a == b {
		return false, nil
	}
	ok, err := v.isAncestor(a, b)
	if errors.Is(err, gitrepo.ErrCommitNotFound) {
		return false, nil // b is not in the branch history: a cannot be proven older
	}
	if err != nil {
		return false, fmt.Errorf("source %s: %w", v.o.Name, err)
	}
	return ok, nil
}

// Declared implements admit.Source. The rendering of c is cached; a
// rendering error is returned (and cached, since a commit renders the same
// every time) so that the decision fails closed.
func (v *View) Declared(ctx context.Context, c provenance.CommitID, key admit.Key) (map[string]any, bool, error) {
	r, err := v.rendering(ctx, c)
	if err != nil {
		return nil, false, err
	}
	obj, ok := r.objects[key]
	return obj, ok, nil
}

// DeclaredDigest implements admit.Digester: the digest the agent stamps on
// the object, in the key's namespace when the rendering leaves it out.
func (v *View) DeclaredDigest(ctx context.Context, c provenance.CommitID, key admit.Key) (string, bool, error) {
	r, err := v.rendering(ctx, c)
	if err != nil {
		return "", false, err
	}
	if d, ok := r.digests[key]; ok {
		return d, true, nil
	}
	return r.digestIn(key)
}

// rendering returns the rendering of c, rendering it on a miss (bounded:
// see renderSlot) unless the request's context ends first.
func (v *View) rendering(ctx context.Context, c provenance.CommitID) (*rendering, error) {
	r, hit, err := v.cache.get(ctx, c, func() *rendering {
		release, err := v.renderSlot(ctx)
		if err != nil {
			return &rendering{err: fmt.Errorf("source %s: no render slot for commit %s: %w", v.o.Name, c.Short(), err)}
		}
		defer release()
		return v.renderAt(ctx, c)
	})
	if h := v.o.Hooks.Cache; h != nil {
		h(hit)
	}
	if err != nil {
		return nil, err
	}
	if r.err != nil {
		if ctx.Err() != nil {
			v.cache.forget(c) // cancelled, not broken: render again next time
		}
		return nil, r.err
	}
	return r, nil
}

// renderSlot waits for one of MaxRenders slots for a rendering a request
// asked for. The head's renderings (publishHead) take no slot: requests
// naming old commits can wait only for each other.
func (v *View) renderSlot(ctx context.Context) (func(), error) {
	select {
	case v.slots <- struct{}{}:
		return func() { <-v.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Refresh implements admit.Source: fetch now (bounded, rate-limited).
func (v *View) Refresh(ctx context.Context) (provenance.CommitID, error) {
	return v.fetchNow(ctx, "refresh")
}

// fetchNow fetches within FetchTimeout unless a fetch happened within
// MinFetchInterval.
func (v *View) fetchNow(ctx context.Context, why string) (provenance.CommitID, error) {
	ctx, cancel := context.WithTimeout(ctx, v.o.FetchTimeout)
	defer cancel()
	return v.fetch(ctx, why, v.o.MinFetchInterval)
}

// maxAncestry bounds the ancestry answers kept.
const maxAncestry = 4096

// isAncestor asks the repository whether a is an ancestor of b, remembering
// the answer: commits are immutable, so once both are known it never
// changes. Errors (an unknown commit) are not remembered.
func (v *View) isAncestor(a, b provenance.CommitID) (bool, error) {
	k := [2]provenance.CommitID{a, b}
	if ok, found := v.ancestry.Load(k); found {
		return ok.(bool), nil
	}
	ok, err := v.repo.IsAncestor(hashOf(a), hashOf(b))
	if err != nil {
		return false, err
	}
	if v.ancestrySize.Add(1) > maxAncestry {
		v.ancestry.Clear()
		v.ancestrySize.Store(1)
	}
	v.ancestry.Store(k, ok)
	return ok, nil
}
