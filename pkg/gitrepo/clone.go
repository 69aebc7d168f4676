package gitrepo

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"
)

// CloneOptions says what Clone fetches and where it keeps it.
type CloneOptions struct {
	// URL of the remote: https://, http://, ssh://, git@host:path or file://.
	URL string
	// Dir is the folder for a bare clone on disk; it must not exist or be
	// empty. "" keeps the clone in memory.
	Dir string
	// Branch to clone (only this branch is fetched). "" is the remote's
	// default branch (its HEAD).
	Branch string
	// Depth limits the history to this many commits from the branch head
	// (a shallow clone). 0 fetches the whole history.
	Depth int
	// Auth is the credential (see AuthFromFiles); nil for anonymous access.
	// Fetch, Deepen and FetchCommit reuse it.
	Auth transport.AuthMethod
}

// Validate reports a missing URL or a negative Depth.
func (o CloneOptions) Validate() error {
	if o.URL == "" {
		return errors.New("clone: URL is required")
	}
	if o.Depth < 0 {
		return fmt.Errorf("clone %s: Depth must be 0 (full history) or positive, got %d", o.URL, o.Depth)
	}
	return nil
}

// Clone makes a bare, single-branch clone of o.URL without tags, shallow when
// o.Depth > 0. The transfer stops when ctx is done. On disk (o.Dir set) a
// failed clone removes the folder it created.
//
// In the clone both refs/heads/<branch> and the remote-tracking ref
// refs/remotes/origin/<branch> point at the fetched head, and Fetch keeps
// both up to date (see Head).
func Clone(ctx context.Context, o CloneOptions) (*Repo, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	co := &git.CloneOptions{
		URL:          o.URL,
		Auth:         o.Auth,
		RemoteName:   RemoteName,
		SingleBranch: true,
		NoCheckout:   true,
		Depth:        o.Depth,
		Tags:         git.NoTags,
	}
	if o.Branch != "" {
		co.ReferenceName = plumbing.NewBranchReferenceName(o.Branch)
	}
	var (
		repo *git.Repository
		err  error
	)
	if o.Dir == "" {
		repo, err = git.CloneContext(ctx, memory.NewStorage(), nil, co)
	} else {
		repo, err = git.PlainCloneContext(ctx, o.Dir, true, co)
	}
	if err != nil {
		return nil, cloneError(o, err)
	}
	r := newRepo(repo, o.Branch, o.Auth)
	if r.branch == "" {
		if r.branch, err = r.defaultBranch(""); err != nil {
			return nil, fmt.Errorf("clone %s: find the default branch: %w", o.URL, err)
		}
	}
	return r, nil
}

func cloneError(o CloneOptions, err error) error {
	what := fmt.Sprintf("clone %s", o.URL)
	if o.Branch != "" {
		what = fmt.Sprintf("clone branch %q of %s", o.Branch, o.URL)
	}
	var noMatch git.NoMatchingRefSpecError
	if errors.Is(err, plumbing.ErrReferenceNotFound) || errors.As(err, &noMatch) {
		return fmt.Errorf("%s: the branch does not exist on the remote: %w (%v)", what, ErrRevisionNotFound, err)
	}
	if o.Dir != "" && errors.Is(err, git.ErrRepositoryAlreadyExists) {
		return fmt.Errorf("%s into %s: the folder already holds a repository; use CloneOrReuse, or Open and Fetch: %w", what, o.Dir, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
