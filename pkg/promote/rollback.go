package promote

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/worktree"
)

// TrailerRolledBackTo is the trailer naming the revision a rollback restores.
const TrailerRolledBackTo = "Rolled-Back-To"

// RollbackOptions say which environment to roll back, to what.
type RollbackOptions struct {
	Dir string
	Env string
	// To is the revision to restore the environment's folder to; "" means
	// the parent of the last commit that changed the folder.
	To         string
	AllowDirty bool
	Check      Checker
	Commit     worktree.Options
	Git        worktree.Runner
	Masker     *diff.Masker
}

// Rollback is a rollback worked out, rendered and checked, not committed.
type Rollback struct {
	Env config.Environment
	// Rev is the commit whose folder content is restored.
	Rev string
	// Undone are the commits after Rev that changed the folder, newest first.
	Undone []*object.Commit
	// Changes maps each file of the folder that changes to its content at
	// Rev (nil: deleted).
	Changes map[string][]byte
	Preview *Preview

	tree *worktree.Tree
	o    RollbackOptions
}

// PrepareRollback works out the rollback of o.Env. Only files under the
// environment's folder change; bases and other environments do not.
func PrepareRollback(ctx context.Context, o RollbackOptions) (*Rollback, error) {
	s, err := openSession(ctx, o.Dir, o.Git, o.AllowDirty)
	if err != nil {
		return nil, err
	}
	env, err := s.cfg.Environment(o.Env)
	if err != nil {
		return nil, err
	}
	if env.Path == "." {
		return nil, fmt.Errorf("rollback %s: the environment is the whole repository; use git revert", env.Name)
	}
	rb := &Rollback{Env: env, tree: s.tree, o: o}
	rev, undone, err := rollbackTarget(s.repo, s.head, env, o.To)
	if err != nil {
		return nil, err
	}
	rb.Rev, rb.Undone = rev.String(), undone
	then, err := s.repo.TreeFS(rev)
	if err != nil {
		return nil, err
	}
	now, err := s.repo.TreeFS(s.head)
	if err != nil {
		return nil, err
	}
	if rb.Changes, err = folderChanges(now, then, env.Path); err != nil {
		return nil, err
	}
	if len(rb.Changes) == 0 {
		return nil, fmt.Errorf("%w: %s (%s) at %s is what it is at HEAD", ErrNothingToRollBack, env.Name, env.Path, rev.String()[:7])
	}
	paths := make([]string, 0, len(rb.Changes))
	for p := range rb.Changes {
		paths = append(paths, p)
	}
	if err := s.touchesDirty(paths); err != nil {
		return nil, err
	}
	rb.Preview, err = NewPreview(ctx, PreviewOptions{Config: s.cfg, Env: env, Target: os.DirFS(s.tree.Root), Changes: rb.Changes, Check: o.Check, Masker: o.Masker})
	return rb, err
}

// Message is the commit message.
func (rb *Rollback) Message() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Roll back %s to %s\n\n", rb.Env.Name, rb.Rev[:7])
	fmt.Fprintf(&b, "Restores %s to its content at %s, undoing:\n", rb.Env.Path, rb.Rev[:7])
	for _, c := range rb.Undone {
		subject, _, _ := strings.Cut(c.Message, "\n")
		fmt.Fprintf(&b, "- %s %s\n", c.Hash.String()[:7], subject)
	}
	fmt.Fprintf(&b, "\n%s: %s@%s\n", TrailerRolledBackTo, rb.Env.Name, rb.Rev)
	return b.String()
}

// Commit writes, stages and commits the rollback (all or nothing).
func (rb *Rollback) Commit(ctx context.Context) (*worktree.Result, error) {
	o := rb.o.Commit
	o.Message = rb.Message()
	return rb.tree.Apply(ctx, toChanges(rb.Changes), o)
}

// rollbackTarget resolves the revision to restore and lists the commits
// (first-parent history from head) that changed env's folder after it.
func rollbackTarget(repo *gitrepo.Repo, head plumbing.Hash, env config.Environment, to string) (plumbing.Hash, []*object.Commit, error) {
	var rev plumbing.Hash
	if to != "" {
		h, err := repo.Resolve(to)
		if err != nil {
			return rev, nil, fmt.Errorf("--to %s: %w", to, err)
		}
		rev = h
	}
	var undone []*object.Commit
	for c, err := repo.Commit(head); ; {
		if err != nil {
			return rev, nil, fmt.Errorf("read history of %s: %w", env.Path, err)
		}
		if c.Hash == rev {
			return rev, undone, nil
		}
		if c.NumParents() == 0 {
			if rev.IsZero() {
				return rev, nil, fmt.Errorf("%w: %s has not changed since the first commit that has it; name a revision with --to", ErrNothingToRollBack, env.Path)
			}
			return rev, undone, nil // --to is not a first-parent ancestor: restore it anyway
		}
		parent, perr := c.Parent(0)
		if perr != nil {
			return rev, nil, fmt.Errorf("read parent of %s: %w", c.Hash.String()[:7], perr)
		}
		changed, cerr := folderChanged(c, parent, env.Path)
		if cerr != nil {
			return rev, nil, cerr
		}
		if changed {
			undone = append(undone, c)
			if rev.IsZero() {
				return parent.Hash, undone, nil
			}
		}
		c, err = parent, nil
	}
}

// folderChanged reports whether folder dir differs between two commits.
func folderChanged(a, b *object.Commit, dir string) (bool, error) {
	ha, err := folderHash(a, dir)
	if err != nil {
		return false, err
	}
	hb, err := folderHash(b, dir)
	return ha != hb, err
}

// folderHash returns the tree hash of dir in c (zero when absent).
func folderHash(c *object.Commit, dir string) (plumbing.Hash, error) {
	t, err := c.Tree()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read tree of %s: %w", c.Hash.String()[:7], err)
	}
	e, err := t.FindEntry(dir)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read %s at %s: %w", dir, c.Hash.String()[:7], err)
	}
	return e.Hash, nil
}

// folderChanges compares the files under dir in now and then and returns
// then's content of every file that differs (nil: not in then).
func folderChanges(now, then fs.FS, dir string) (map[string][]byte, error) {
	files := func(fsys fs.FS) (map[string][]byte, error) {
		out := map[string][]byte{}
		if _, ok, err := exists(fsys, dir); err != nil || !ok {
			return out, err
		}
		err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			out[p] = b
			return err
		})
		return out, err
	}
	a, err := files(now)
	if err != nil {
		return nil, err
	}
	b, err := files(then)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for p, c := range b {
		if old, ok := a[p]; !ok || string(old) != string(c) {
			out[p] = c
		}
	}
	for p := range a {
		if _, ok := b[p]; !ok {
			out[p] = nil
		}
	}
	return out, nil
}
