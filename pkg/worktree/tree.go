package worktree

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Sentinel errors; returned errors wrap them.
var (
	// ErrBranchExists: Options.Branch names a branch that already exists.
	ErrBranchExists = errors.New("branch already exists")
	// ErrInvalidBranch: Options.Branch is not a valid branch name.
	ErrInvalidBranch = errors.New("invalid branch name")
	// ErrInvalidPath: a Change path is absolute, not clean or leaves the tree.
	ErrInvalidPath = errors.New("invalid path")
	// ErrNoChanges: Apply was given nothing to commit.
	ErrNoChanges = errors.New("nothing to commit")
	// ErrBare: the repository has no working tree.
	ErrBare = errors.New("bare repository")
)

// Tree is the working tree of a checkout.
type Tree struct {
	// Root is the absolute path of the working tree's top folder.
	Root string
	// index is the absolute path of the index file.
	index  string
	runner Runner
}

// Open finds the checkout containing dir (any folder inside it). A nil
// runner means ExecRunner{}.
func Open(ctx context.Context, dir string, runner Runner) (*Tree, error) {
	if runner == nil {
		runner = ExecRunner{}
	}
	bare, err := runner.Run(ctx, dir, nil, "rev-parse", "--is-bare-repository")
	if err != nil {
		return nil, fmt.Errorf("open checkout %s: %w", dir, err)
	}
	if strings.TrimSpace(string(bare)) == "true" {
		return nil, fmt.Errorf("open checkout %s: %w: there is no working tree to change", dir, ErrBare)
	}
	out, err := runner.Run(ctx, dir, nil, "rev-parse", "--show-toplevel", "--git-path", "index")
	if err != nil {
		return nil, fmt.Errorf("open checkout %s: %w", dir, err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("open checkout %s: %w: unexpected git rev-parse output %q", dir, ErrGit, out)
	}
	root, index := filepath.FromSlash(lines[0]), filepath.FromSlash(lines[1])
	if !filepath.IsAbs(index) {
		// --git-path answers relative to the folder git ran in.
		abs, err := filepath.Abs(filepath.Join(dir, index))
		if err != nil {
			return nil, fmt.Errorf("open checkout %s: %w", dir, err)
		}
		index = abs
	}
	return &Tree{Root: root, index: index, runner: runner}, nil
}

// Status returns the paths (slash-separated, relative to Root) that differ
// between HEAD, the index and the working tree, untracked files included
// and ignored files not.
func (t *Tree) Status(ctx context.Context) ([]string, error) {
	out, err := t.runner.Run(ctx, t.Root, nil, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", t.Root, err)
	}
	var paths []string
	for _, entry := range strings.Split(string(out), "\x00") {
		if len(entry) > 3 {
			paths = append(paths, entry[3:])
		}
	}
	return paths, nil
}

// Head returns the full commit id HEAD points to and the branch it is on
// ("" when detached).
func (t *Tree) Head(ctx context.Context) (commit, branch string, err error) {
	commit, err = t.git(ctx, nil, "rev-parse", "--verify", "HEAD")
	if err != nil {
		return "", "", fmt.Errorf("resolve HEAD in %s: %w", t.Root, err)
	}
	ref, err := t.git(ctx, nil, "symbolic-ref", "-q", "HEAD")
	if err != nil {
		// Exit status 1 with no output: detached HEAD.
		if ref == "" {
			return commit, "", nil
		}
		return "", "", fmt.Errorf("read HEAD in %s: %w", t.Root, err)
	}
	return commit, strings.TrimPrefix(ref, "refs/heads/"), nil
}
