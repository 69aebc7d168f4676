package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// RemoteName is the remote that Clone creates and Fetch reads from.
const RemoteName = "origin"

// Repo is a Git repository: a checkout opened with Open, or a bare clone
// made by Clone (on disk or in memory).
//
// A Repo is safe for concurrent use: go-git's storage is not, so every
// method takes the Repo's lock while it touches the object store. Fetch holds
// the lock for the whole transfer, so bound it with a context deadline.
type Repo struct {
	mu   sync.Mutex
	repo *git.Repository
	// bare is true for repositories without a working tree (every Clone).
	bare bool
	// branch is the branch given to (or chosen by) Clone; "" after Open.
	branch string
	// auth is the credential of the last Clone or Fetch, reused by Deepen
	// and FetchCommit.
	auth transport.AuthMethod
}

// Open opens the repository that contains path: a checkout's root or any
// folder inside it (the .git folder is searched upward, like git does), or
// a bare repository's own folder. Linked worktrees (git worktree add) work.
func Open(path string) (*Repo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", path, err)
	}
	var repo *git.Repository
	if isBareDir(abs) {
		repo, err = git.PlainOpen(abs)
	} else {
		repo, err = git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{
			DetectDotGit:          true,
			EnableDotGitCommonDir: true,
		})
	}
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("open repository %s: no Git repository here or in any parent folder: %w", path, err)
		}
		return nil, fmt.Errorf("open repository %s: %w", path, err)
	}
	return newRepo(repo, "", nil), nil
}

// newRepo wraps repo; it decides bareness from the presence of a worktree.
func newRepo(repo *git.Repository, branch string, auth transport.AuthMethod) *Repo {
	_, err := repo.Worktree()
	return &Repo{
		repo:   repo,
		bare:   errors.Is(err, git.ErrIsBareRepository),
		branch: branch,
		auth:   auth,
	}
}

// isBareDir reports whether dir looks like a bare repository's folder
// (HEAD, objects/ and refs/ directly inside, and no .git).
func isBareDir(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, git.GitDirName)); err == nil {
		return false
	}
	for _, name := range []string{"objects", "refs"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	fi, err := os.Stat(filepath.Join(dir, "HEAD"))
	return err == nil && fi.Mode().IsRegular()
}

// Git returns the underlying go-git repository for what this package does
// not wrap. go-git is not safe for concurrent use: do not use the result
// while other goroutines call methods of r.
func (r *Repo) Git() *git.Repository { return r.repo }

// Bare reports whether the repository has no working tree. Every Clone is
// bare; Open of a checkout is not.
func (r *Repo) Bare() bool { return r.bare }

// defaultBranch returns branch if set, else the branch given to Clone, else
// the branch HEAD points to. The caller holds r.mu.
func (r *Repo) defaultBranch(branch string) (string, error) {
	if branch != "" {
		return branch, nil
	}
	if r.branch != "" {
		return r.branch, nil
	}
	head, err := r.repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return "", fmt.Errorf("read HEAD: %w", err)
	}
	if head.Type() != plumbing.SymbolicReference || !head.Target().IsBranch() {
		return "", ErrNoBranch
	}
	return head.Target().Short(), nil
}
