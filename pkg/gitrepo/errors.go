package gitrepo

import "errors"

// Sentinel errors. Errors returned by this package wrap them (test with
// errors.Is) and name the revision, commit, path or URL involved.
var (
	// ErrRevisionNotFound: a branch, tag or revision does not resolve to a
	// commit in the local repository.
	ErrRevisionNotFound = errors.New("revision not found")

	// ErrCommitNotFound: a commit is not in the local object store. On a
	// shallow or single-branch clone, FetchCommit or Deepen may bring it.
	ErrCommitNotFound = errors.New("commit not found in the local repository")

	// ErrShallowHistory: an ancestry walk reached the boundary of a shallow
	// clone before it could decide. Deepen the clone and ask again.
	ErrShallowHistory = errors.New("history is shallow: the walk reached the shallow boundary")

	// ErrEscapesTree: a symbolic link in a Git tree points outside the tree
	// (an absolute target, or "../" above the root).
	ErrEscapesTree = errors.New("symbolic link escapes the Git tree")

	// ErrSubmodule: a path is a submodule (a gitlink); submodules are not
	// supported, their content is not in this repository.
	ErrSubmodule = errors.New("submodules are not supported")

	// ErrFetchByHashUnsupported: the server does not advertise
	// allow-reachable-sha1-in-want or allow-tip-sha1-in-want, so a commit
	// cannot be fetched by its hash; use Deepen instead.
	ErrFetchByHashUnsupported = errors.New("the server does not allow fetching a commit by its hash")

	// ErrNoBranch: no branch was given and none could be inferred (detached
	// HEAD and no branch from Clone).
	ErrNoBranch = errors.New("no branch given and HEAD is not on a branch")
)

// Errors of CloneOrReuse and CheckClone.
var (
	// ErrUnsoundClone: a folder does not hold a sound clone of the URL and
	// branch asked for (another URL or branch, a clone interrupted half-way,
	// objects that do not verify). CloneOrReuse replaces such a folder.
	ErrUnsoundClone = errors.New("the folder does not hold a sound clone of this URL and branch")

	// ErrForeignFolder: a folder holds files that are not a Git repository.
	// CloneOrReuse never deletes it: remove it, or clone into another folder.
	ErrForeignFolder = errors.New("the folder holds files that are not a Git repository")
)
