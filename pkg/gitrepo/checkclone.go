package gitrepo

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// CheckClone opens the bare clone in o.Dir and checks that it can be reused
// for o: its origin is o.URL, its HEAD is on o.Branch (when set), the
// branch head exists, and the head commit, its tree and every blob in it
// can be read and hash to their names. Every Clone passes; a folder written
// by another Clone, or left half-written by a kill, fails with an error
// wrapping ErrUnsoundClone that says why. It reads the head's whole tree,
// which costs about what one rendering reads; the agent does it once per
// start.
func CheckClone(o CloneOptions) (*Repo, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	unsound := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s: %w", o.Dir, fmt.Sprintf(format, args...), ErrUnsoundClone)
	}
	if !isBareDir(o.Dir) {
		return nil, unsound("HEAD, objects/ or refs/ is missing (a clone interrupted before it was written?)")
	}
	repo, err := git.PlainOpen(o.Dir)
	if err != nil {
		return nil, unsound("cannot be opened: %v", err)
	}
	if err := sameOrigin(repo, o.URL); err != nil {
		return nil, unsound("%v", err)
	}
	branch, err := headBranch(repo, o.Branch)
	if err != nil {
		return nil, unsound("%v", err)
	}
	// Clone writes both refs and Fetch moves both: a missing or unreadable
	// one is a clone (or fetch) killed before it finished.
	verified := map[plumbing.Hash]bool{}
	for _, name := range []plumbing.ReferenceName{
		plumbing.NewRemoteReferenceName(RemoteName, branch), plumbing.NewBranchReferenceName(branch),
	} {
		ref, err := repo.Storer.Reference(name)
		if err != nil {
			return nil, unsound("read %s: %v", name, err)
		}
		if h := ref.Hash(); !verified[h] {
			if err := verifyCommit(repo.Storer, h); err != nil {
				return nil, unsound("the commit %s at %s cannot be read: %v", h, name, err)
			}
			verified[h] = true
		}
	}
	return newRepo(repo, branch, o.Auth), nil
}

// sameOrigin reports an error unless origin's URL is url (a trailing slash
// aside: it is the same remote).
func sameOrigin(repo *git.Repository, url string) error {
	rem, err := repo.Remote(RemoteName)
	if err != nil {
		return fmt.Errorf("no remote %q: %v", RemoteName, err)
	}
	urls := rem.Config().URLs
	if len(urls) == 0 {
		return fmt.Errorf("remote %q has no URL", RemoteName)
	}
	if strings.TrimSuffix(urls[0], "/") != strings.TrimSuffix(url, "/") {
		return fmt.Errorf("it is a clone of %s, not of %s", redactURL(urls[0]), redactURL(url))
	}
	return nil
}

// headBranch returns the branch HEAD is on; when want is set it must be
// want (Clone points HEAD at the branch it cloned).
func headBranch(repo *git.Repository, want string) (string, error) {
	head, err := repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return "", fmt.Errorf("read HEAD: %v", err)
	}
	if head.Type() != plumbing.SymbolicReference || !head.Target().IsBranch() {
		return "", errors.New("HEAD is not on a branch")
	}
	got := head.Target().Short()
	if want != "" && got != want {
		return "", fmt.Errorf("it is a clone of branch %q, not %q", got, want)
	}
	return got, nil
}

// verifyCommit reads commit h and, recursively, its tree and blobs,
// checking that each object hashes to its name: a truncated or overwritten
// object fails here rather than in a later rendering.
func verifyCommit(s storer.EncodedObjectStorer, h plumbing.Hash) error {
	obj, err := verifiedObject(s, plumbing.CommitObject, h)
	if err != nil {
		return err
	}
	c, err := object.DecodeCommit(s, obj)
	if err != nil {
		return fmt.Errorf("decode commit %s: %w", h, err)
	}
	return verifyTree(s, c.TreeHash)
}

func verifyTree(s storer.EncodedObjectStorer, h plumbing.Hash) error {
	obj, err := verifiedObject(s, plumbing.TreeObject, h)
	if err != nil {
		return err
	}
	tree, err := object.DecodeTree(s, obj)
	if err != nil {
		return fmt.Errorf("decode tree %s: %w", h, err)
	}
	for _, e := range tree.Entries {
		switch e.Mode {
		case filemode.Submodule: // its commit lives in another repository
		case filemode.Dir:
			if err := verifyTree(s, e.Hash); err != nil {
				return err
			}
		default:
			if _, err := verifiedObject(s, plumbing.BlobObject, e.Hash); err != nil {
				return fmt.Errorf("%s: %w", e.Name, err)
			}
		}
	}
	return nil
}

// verifiedObject reads object h of type t and recomputes its hash: go-git
// does not check it on read, so an overwritten object would pass unseen.
func verifiedObject(s storer.EncodedObjectStorer, t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	obj, err := s.EncodedObject(t, h)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", t, h, err)
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", t, h, err)
	}
	defer rd.Close()
	hasher := plumbing.NewHasher(obj.Type(), obj.Size())
	if _, err := io.Copy(hasher, rd); err != nil {
		return nil, fmt.Errorf("read %s %s: %w", t, h, err)
	}
	if got := hasher.Sum(); got != h {
		return nil, fmt.Errorf("%s %s: its content hashes to %s", t, h, got)
	}
	return obj, nil
}

// gitMarkers are names a Git folder (or one a clone began to write) holds
// at its top; a folder with none of them is not one of ours to delete.
var gitMarkers = []string{"HEAD", "config", "objects", "refs", "packed-refs", "shallow", "index"}

// looksLikeGit reports whether dir is empty or holds a Git marker, so that
// replacing it cannot delete someone's files.
func looksLikeGit(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	if len(entries) == 0 {
		return true, nil
	}
	for _, m := range gitMarkers {
		if _, err := os.Lstat(filepath.Join(dir, m)); err == nil {
			return true, nil
		}
	}
	return false, nil
}
