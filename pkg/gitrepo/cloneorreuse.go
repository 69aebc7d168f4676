package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
)

// Reuse says what CloneOrReuse did with the folder, for the caller's log.
type Reuse struct {
	// Reused is true when the folder held a sound clone, now fetched.
	Reused bool
	// Replaced, when not nil, says why the folder's content was removed
	// and cloned again (it wraps ErrUnsoundClone).
	Replaced error
	// Leftovers are the temporary siblings of an interrupted clone or
	// replacement that were removed.
	Leftovers []string
}

// tmpMark names the siblings CloneOrReuse makes next to o.Dir: only
// folders whose names start with "."+base(o.Dir)+tmpMark are ever removed
// outside o.Dir.
const tmpMark = ".gitward-"

// CloneOrReuse makes o.Dir hold a sound clone of o.URL's o.Branch at the
// remote's head, whatever a previous process left there:
//
//   - a sound clone of the same URL and branch (CheckClone) is reused and
//     fetched;
//   - nothing, an empty folder, or one that fails CheckClone (another URL
//     or branch, a half-written clone, objects that do not verify) gets a
//     fresh clone. The clone is made in a temporary sibling folder and
//     renamed into place, so a kill at any point leaves either the old
//     folder, no folder, or a sound clone, never a half-written one under
//     o.Dir. Siblings left by such a kill are removed on the next call.
//
// A folder that holds files but no Git marker (HEAD, config, objects/, …)
// is never deleted: the error wraps ErrForeignFolder. With o.Dir "" it is
// Clone in memory.
func CloneOrReuse(ctx context.Context, o CloneOptions) (*Repo, Reuse, error) {
	var rep Reuse
	if o.Dir == "" {
		r, err := Clone(ctx, o)
		return r, rep, err
	}
	if err := o.Validate(); err != nil {
		return nil, rep, err
	}
	o.Dir = filepath.Clean(o.Dir)
	if filepath.Dir(o.Dir) == o.Dir {
		return nil, rep, fmt.Errorf("clone %s into %s: the folder is a file-system root; clone into a folder below it", o.URL, o.Dir)
	}
	leftovers, err := removeLeftovers(o.Dir)
	rep.Leftovers = leftovers
	if err != nil {
		return nil, rep, err
	}
	fi, err := os.Lstat(o.Dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r, err := cloneInPlace(ctx, o, false)
		return r, rep, err
	case err != nil:
		return nil, rep, fmt.Errorf("clone %s into %s: %w", o.URL, o.Dir, err)
	case !fi.IsDir():
		return nil, rep, fmt.Errorf("clone %s into %s: it is not a folder: %w", o.URL, o.Dir, ErrForeignFolder)
	}
	if ok, err := looksLikeGit(o.Dir); err != nil || !ok {
		if err == nil {
			err = ErrForeignFolder
		}
		return nil, rep, fmt.Errorf("clone %s into %s: %w; remove it or choose another folder", o.URL, o.Dir, err)
	}
	r, err := CheckClone(o)
	if err == nil {
		rep.Reused = true
		if err := r.Fetch(ctx, FetchOptions{Branch: o.Branch, Depth: o.Depth, Auth: o.Auth}); err != nil {
			return nil, rep, err
		}
		return r, rep, nil
	}
	if empty, _ := isEmptyDir(o.Dir); empty {
		// os.Rename will not replace even an empty folder; os.Remove only
		// removes an empty one.
		if err := os.Remove(o.Dir); err != nil {
			return nil, rep, fmt.Errorf("clone %s into %s: %w", o.URL, o.Dir, err)
		}
		r, err := cloneInPlace(ctx, o, false)
		return r, rep, err
	}
	rep.Replaced = err
	r, err = cloneInPlace(ctx, o, true)
	return r, rep, err
}

// cloneInPlace clones into a temporary sibling of o.Dir and renames it to
// o.Dir; with replace, o.Dir is first renamed aside and removed after the
// swap. The old folder is kept until the new clone is complete, so a failed
// clone (the remote is down) destroys nothing.
func cloneInPlace(ctx context.Context, o CloneOptions, replace bool) (*Repo, error) {
	parent, base := filepath.Split(o.Dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("clone %s into %s: %w", o.URL, o.Dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+base+tmpMark+"clone-")
	if err != nil {
		return nil, fmt.Errorf("clone %s into %s: %w", o.URL, o.Dir, err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	to := o
	to.Dir = tmp
	if _, err := Clone(ctx, to); err != nil {
		return nil, err
	}
	if replace {
		old, err := os.MkdirTemp(parent, "."+base+tmpMark+"old-")
		if err != nil {
			return nil, fmt.Errorf("clone %s into %s: %w", o.URL, o.Dir, err)
		}
		defer os.RemoveAll(old)
		if err := os.Rename(o.Dir, filepath.Join(old, base)); err != nil {
			return nil, fmt.Errorf("clone %s into %s: move the old folder aside: %w", o.URL, o.Dir, err)
		}
	}
	if err := os.Rename(tmp, o.Dir); err != nil {
		return nil, fmt.Errorf("clone %s into %s: move the new clone into place: %w", o.URL, o.Dir, err)
	}
	// The go-git storage of the clone points at tmp: open the final folder.
	repo, err := git.PlainOpen(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("clone %s into %s: open the new clone: %w", o.URL, o.Dir, err)
	}
	r := newRepo(repo, o.Branch, o.Auth)
	if r.branch == "" {
		if r.branch, err = r.defaultBranch(""); err != nil {
			return nil, fmt.Errorf("clone %s: find the default branch: %w", o.URL, err)
		}
	}
	return r, nil
}

// removeLeftovers removes the siblings of dir that an interrupted
// cloneInPlace left (named "."+base+tmpMark+…) and returns their paths.
func removeLeftovers(dir string) ([]string, error) {
	parent, base := filepath.Split(dir)
	entries, err := os.ReadDir(parent)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look for leftovers of an interrupted clone next to %s: %w", dir, err)
	}
	var removed []string
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "."+base+tmpMark) {
			continue
		}
		p := filepath.Join(parent, e.Name())
		if err := os.RemoveAll(p); err != nil {
			return removed, fmt.Errorf("remove %s, left by an interrupted clone: %w", p, err)
		}
		removed = append(removed, p)
	}
	return removed, nil
}

func isEmptyDir(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) == 0, err
}
