package worktree

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
)

// Change is one file to write or delete.
type Change struct {
	// Path is slash-separated, relative to the tree's root.
	Path string
	// Content is the new content (ignored when Delete).
	Content []byte
	// Delete removes the file instead.
	Delete bool
	// Mode is the new file's permissions; 0 keeps an existing file's, or
	// 0644 for a new one.
	Mode fs.FileMode
}

// Options says how Apply commits.
type Options struct {
	// Message is the full commit message.
	Message string
	// Branch, when set, is a new branch created at HEAD for the commit;
	// the checkout stays on its branch, unchanged.
	Branch string
	// Push pushes the committed branch to Remote (same branch name there).
	Push bool
	// Remote is the remote Push pushes to; "" means origin.
	Remote string
}

// Result is what Apply did.
type Result struct {
	// Commit is the new commit's full id.
	Commit string
	// Branch is the branch the commit is on ("" on a detached HEAD).
	Branch string
	// Pushed is the remote the branch was pushed to, or "".
	Pushed string
}

// headState is where HEAD pointed before Apply.
type headState struct {
	commit string
	branch string // "" when detached
}

// Apply writes changes, stages exactly those paths and commits them with
// the user's git. Changes already staged for other paths stay staged and
// are not committed. On any error — including ctx being cancelled — the
// working tree, the index and the refs are restored to what they were, and
// the error says what failed (and, if restoring failed too, what could not
// be restored).
func (t *Tree) Apply(ctx context.Context, changes []Change, o Options) (*Result, error) {
	if len(changes) == 0 {
		return nil, ErrNoChanges
	}
	paths := make([]string, 0, len(changes))
	seen := map[string]bool{}
	for _, c := range changes {
		if err := checkPath(c.Path); err != nil {
			return nil, err
		}
		if seen[c.Path] {
			return nil, fmt.Errorf("%w: %s is changed twice", ErrInvalidPath, c.Path)
		}
		seen[c.Path] = true
		paths = append(paths, c.Path)
	}
	commit, branch, err := t.Head(ctx)
	if err != nil {
		return nil, err
	}
	head := headState{commit: commit, branch: branch}
	if o.Branch != "" {
		if err := t.checkNewBranch(ctx, o.Branch); err != nil {
			return nil, err
		}
	}
	snap, err := t.take(changes)
	if err != nil {
		return nil, err
	}
	res, err := t.apply(ctx, snap, head, changes, paths, o)
	if err != nil {
		// Undo with a context that a cancelled ctx does not cancel.
		undo := context.WithoutCancel(ctx)
		if rerr := t.undo(undo, snap, head, o.Branch); rerr != nil {
			return nil, fmt.Errorf("%w; restoring the checkout failed too, check it with git status: %w", err, rerr)
		}
		return nil, err
	}
	return res, nil
}

// apply does the work of Apply; the caller undoes it on error.
func (t *Tree) apply(ctx context.Context, snap *snapshot, head headState, changes []Change, paths []string, o Options) (*Result, error) {
	target := head.branch
	if o.Branch != "" {
		if _, err := t.git(ctx, nil, "update-ref", "-m", "git gitops: create branch", "refs/heads/"+o.Branch, head.commit, ""); err != nil {
			return nil, fmt.Errorf("create branch %s: %w", o.Branch, err)
		}
		if _, err := t.git(ctx, nil, "symbolic-ref", "HEAD", "refs/heads/"+o.Branch); err != nil {
			return nil, fmt.Errorf("switch to branch %s: %w", o.Branch, err)
		}
		target = o.Branch
	}
	if err := t.write(snap, changes); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	args := append([]string{"add", "--all", "--"}, paths...)
	if _, err := t.git(ctx, nil, args...); err != nil {
		return nil, fmt.Errorf("stage changes: %w", err)
	}
	args = append([]string{"commit", "--quiet", "--file=-", "--"}, paths...)
	if _, err := t.git(ctx, []byte(o.Message), args...); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	commit, err := t.git(ctx, nil, "rev-parse", "HEAD")
	if err != nil {
		return nil, fmt.Errorf("read the new commit: %w", err)
	}
	res := &Result{Commit: commit, Branch: target}
	if o.Push {
		if target == "" {
			return nil, errors.New("push: HEAD is detached; name a branch with --branch")
		}
		remote := o.Remote
		if remote == "" {
			remote = "origin"
		}
		ref := "refs/heads/" + target
		if _, err := t.git(ctx, nil, "push", "--quiet", "--porcelain", remote, ref+":"+ref); err != nil {
			return nil, fmt.Errorf("push %s to %s: %w", target, remote, err)
		}
		res.Pushed = remote
	}
	if o.Branch != "" {
		// Back to where the checkout was: HEAD, the files and the index.
		if err := t.resetHead(ctx, head); err != nil {
			return nil, err
		}
		if err := t.restore(snap); err != nil {
			return nil, fmt.Errorf("return to %s after committing on %s: %w", head.describe(), o.Branch, err)
		}
	}
	return res, nil
}

// undo restores the checkout after a failed apply.
func (t *Tree) undo(ctx context.Context, snap *snapshot, head headState, newBranch string) error {
	var errs []error
	if err := t.resetHead(ctx, head); err != nil {
		errs = append(errs, err)
	}
	if head.branch != "" {
		// The branch may have moved if the commit succeeded and a later step failed.
		if _, err := t.git(ctx, nil, "update-ref", "-m", "git gitops: undo", "refs/heads/"+head.branch, head.commit); err != nil {
			errs = append(errs, fmt.Errorf("reset branch %s: %w", head.branch, err))
		}
	}
	if newBranch != "" {
		if out, _ := t.git(ctx, nil, "rev-parse", "--verify", "-q", "refs/heads/"+newBranch); out != "" {
			if _, err := t.git(ctx, nil, "update-ref", "-d", "refs/heads/"+newBranch); err != nil {
				errs = append(errs, fmt.Errorf("delete branch %s: %w", newBranch, err))
			}
		}
	}
	if err := t.restore(snap); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// resetHead points HEAD back at head (its branch, or its commit if detached).
func (t *Tree) resetHead(ctx context.Context, head headState) error {
	var err error
	if head.branch != "" {
		_, err = t.git(ctx, nil, "symbolic-ref", "HEAD", "refs/heads/"+head.branch)
	} else {
		_, err = t.git(ctx, nil, "update-ref", "--no-deref", "HEAD", head.commit)
	}
	if err != nil {
		return fmt.Errorf("point HEAD back at %s: %w", head.describe(), err)
	}
	return nil
}

// describe names where HEAD was.
func (h headState) describe() string {
	if h.branch != "" {
		return "branch " + h.branch
	}
	return "commit " + h.commit
}

// checkNewBranch refuses invalid or existing branch names.
func (t *Tree) checkNewBranch(ctx context.Context, name string) error {
	if _, err := t.git(ctx, nil, "check-ref-format", "--branch", name); err != nil || name[0] == '-' {
		return fmt.Errorf("%w: %q (see git check-ref-format)", ErrInvalidBranch, name)
	}
	if out, _ := t.git(ctx, nil, "rev-parse", "--verify", "-q", "refs/heads/"+name); out != "" {
		return fmt.Errorf("%w: %s is at %s; choose another name, or delete it with git branch -D %s", ErrBranchExists, name, short(out), name)
	}
	return nil
}

// short abbreviates a commit id for messages.
func short(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}
