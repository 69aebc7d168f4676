package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// FetchOptions says what Fetch brings from the origin remote.
type FetchOptions struct {
	// Branch to fetch. "" is the branch given to Clone, else the branch the
	// checkout's HEAD is on.
	Branch string
	// Depth limits the fetched history to this many commits from the new
	// head (shallow). 0 fetches every missing commit down to what the
	// repository has; it does not deepen a shallow clone (Deepen does).
	Depth int
	// Auth is the credential; nil reuses the one given to Clone or to the
	// previous Fetch.
	Auth transport.AuthMethod
}

// Fetch brings the branch's head from the origin remote. The transfer stops
// when ctx is done; on any error the repository keeps its previous refs.
//
// It always updates refs/remotes/origin/<branch>, even when the branch was
// force-pushed to a commit that is not a descendant of the old head. In a
// bare repository (every Clone) it also moves refs/heads/<branch>; in a
// checkout it never touches local branches. Finding nothing new is not an
// error. Tags are not fetched.
func (r *Repo) Fetch(ctx context.Context, o FetchOptions) error {
	if o.Depth < 0 {
		return fmt.Errorf("fetch: Depth must be 0 or positive, got %d", o.Depth)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	branch, err := r.defaultBranch(o.Branch)
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	if o.Auth != nil {
		r.auth = o.Auth
	}
	src := plumbing.NewBranchReferenceName(branch)
	specs := []config.RefSpec{
		config.RefSpec(fmt.Sprintf("+%s:%s", src, plumbing.NewRemoteReferenceName(RemoteName, branch))),
	}
	if r.bare {
		specs = append(specs, config.RefSpec(fmt.Sprintf("+%s:%s", src, src)))
	}
	err = r.repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: RemoteName,
		RefSpecs:   specs,
		Depth:      o.Depth,
		Auth:       r.auth,
		Tags:       git.NoTags,
		Force:      true,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("fetch branch %q from %s: %w", branch, r.remoteURL(), fetchError(err))
	}
	return nil
}

// Deepen fetches more history of the branch (the one given to Clone, or the
// checkout's current branch): afterwards the local history reaches at least
// depth commits below the remote head. depth <= 0 fetches the whole history
// (like git fetch --unshallow). Use it after IsAncestor returns
// ErrShallowHistory. It works over every transport go-git speaks.
func (r *Repo) Deepen(ctx context.Context, depth int) error {
	if depth <= 0 {
		depth = math.MaxInt32 // what git sends for --unshallow
	}
	return r.Fetch(ctx, FetchOptions{Depth: depth})
}

// FetchCommit fetches the commit h (with its tree, not its history when the
// repository is shallow) unless it is already present, so that Commit and
// TreeFS can read it.
//
// The server must advertise allow-reachable-sha1-in-want or
// allow-tip-sha1-in-want (git: uploadpack.allowReachableSHA1InWant=true;
// GitHub and GitLab do); otherwise go-git refuses before asking and the error
// wraps ErrFetchByHashUnsupported — fall back to Deepen. This holds over
// file:// and HTTP(S) alike. Fetching a commit does not link it to the branch
// history: to decide ancestry, Deepen.
func (r *Repo) FetchCommit(ctx context.Context, h plumbing.Hash) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.repo.Storer.EncodedObject(plumbing.CommitObject, h); err == nil {
		return nil
	}
	depth := 0
	if shallow, err := r.repo.Storer.Shallow(); err == nil && len(shallow) > 0 {
		depth = 1
	}
	tmp := plumbing.ReferenceName("refs/gitward/fetch/" + h.String())
	err := r.repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: RemoteName,
		RefSpecs:   []config.RefSpec{config.RefSpec(h.String() + ":" + tmp.String())},
		Depth:      depth,
		Auth:       r.auth,
		Tags:       git.NoTags,
	})
	_ = r.repo.Storer.RemoveReference(tmp)
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("fetch commit %s from %s: %w", h, r.remoteURL(), fetchError(err))
	}
	if _, err := r.repo.Storer.EncodedObject(plumbing.CommitObject, h); err != nil {
		return fmt.Errorf("fetch commit %s from %s: the server sent no such commit: %w", h, r.remoteURL(), ErrCommitNotFound)
	}
	return nil
}

// fetchError adds this package's sentinel to go-git errors it recognises.
func fetchError(err error) error {
	if errors.Is(err, git.ErrExactSHA1NotSupported) {
		return fmt.Errorf("%w: %w", ErrFetchByHashUnsupported, err)
	}
	return err
}

// remoteURL returns origin's first URL for error messages. The caller holds
// r.mu.
func (r *Repo) remoteURL() string {
	rem, err := r.repo.Remote(RemoteName)
	if err != nil || len(rem.Config().URLs) == 0 {
		return "remote " + RemoteName
	}
	return redactURL(rem.Config().URLs[0])
}

// redactURL hides a password in a URL (https://user:token@host/...).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}
