package localsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/gitward/gitward/pkg/expand"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
)

// Sentinel errors of Prepare.
var (
	// ErrDirty: the working tree's rendering differs from the rendering at
	// HEAD, so HEAD does not describe what would be applied.
	ErrDirty = errors.New("uncommitted changes reach the rendering")
	// ErrNoSource: no source is named and none renders the folder.
	ErrNoSource = errors.New("no source")
	// ErrNotCheckout: the folder is not inside a Git checkout.
	ErrNotCheckout = errors.New("not inside a Git checkout")
)

// maxListed bounds the dirty files an error names.
const maxListed = 10

// Options says what to sync.
type Options struct {
	// Dir is a folder inside the checkout; default ".".
	Dir string
	// Source names a source of the checkout's gitward.yaml (or of its
	// conventional layout). With Folder, it is the name the objects are
	// stamped with.
	Source string
	// Folder is a kustomize folder to render (relative to the current
	// folder, or absolute); without Source, the source is the one whose
	// path it is.
	Folder string
	// AllowDirty applies the working tree's rendering even when it differs
	// from the rendering at HEAD.
	AllowDirty bool
	// AllowRemote lets kustomize fetch remote bases.
	AllowRemote bool
}

// Plan is a source rendered and ready to apply.
type Plan struct {
	Source string
	Branch string
	// Root is the checkout's root folder; Path the rendered folder in it.
	Root, Path string
	// Commit is HEAD, stamped on every object.
	Commit provenance.CommitID
	// Subject is the first line of HEAD's message.
	Subject string
	Objects []apply.Object
	// Dirty is set when AllowDirty let a differing working tree through.
	Dirty bool
	// Warnings are for people (stderr): HEAD not on the branch, dirty tree.
	Warnings []string
}

// Prepare resolves the source and HEAD and renders the source.
func Prepare(ctx context.Context, o Options) (*Plan, error) {
	if o.Dir == "" {
		o.Dir = "."
	}
	repo, err := gitrepo.Open(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: sync stamps the checkout's HEAD commit, so run it in a checkout: %w", ErrNotCheckout, o.Dir, err)
	}
	wt, err := repo.Git().Worktree()
	if err != nil {
		return nil, fmt.Errorf("%w: %s is a bare repository: %w", ErrNotCheckout, o.Dir, err)
	}
	p := &Plan{Root: wt.Filesystem.Root()}
	if err := p.resolveSource(o); err != nil {
		return nil, err
	}
	head, err := repo.Resolve("HEAD")
	if err != nil {
		return nil, fmt.Errorf("sync %s: HEAD: %w (commit something first)", p.Source, err)
	}
	p.Commit = provenance.CommitID(head.String())
	c, err := repo.Commit(head)
	if err != nil {
		return nil, fmt.Errorf("sync %s: %w", p.Source, err)
	}
	p.Subject, _, _ = strings.Cut(c.Message, "\n")
	if err := p.render(ctx, repo, head, o); err != nil {
		return nil, err
	}
	p.checkBranch(repo, head)
	return p, nil
}

// resolveSource sets Source, Branch and Path from the options and the
// checkout's configuration.
func (p *Plan) resolveSource(o Options) error {
	cfg, cfgErr := config.Load(p.Root)
	if o.Folder != "" {
		rel, err := relativeTo(p.Root, o.Folder)
		if err != nil {
			return err
		}
		p.Path = rel
	}
	switch {
	case o.Source != "" && cfgErr != nil && p.Path == "":
		return fmt.Errorf("--source %s: %w", o.Source, cfgErr)
	case o.Source != "":
		p.Source = o.Source
		if cfgErr == nil {
			src, err := cfg.Source(o.Source)
			if err != nil && p.Path == "" {
				return fmt.Errorf("--source: %w", err)
			}
			p.Branch = src.Branch
			if p.Path == "" {
				p.Path = path.Clean(src.Path)
			}
		}
	default:
		if p.Path == "" {
			rel, err := relativeTo(p.Root, ".")
			if err != nil {
				return err
			}
			p.Path = rel
		}
		if cfgErr != nil {
			return fmt.Errorf("%w renders %s: %w; name one with --source", ErrNoSource, p.Path, cfgErr)
		}
		for _, s := range cfg.Sources {
			if path.Clean(s.Path) == p.Path {
				if p.Source != "" {
					return fmt.Errorf("%w: sources %s and %s both render %s; choose one with --source", ErrNoSource, p.Source, s.Name, p.Path)
				}
				p.Source, p.Branch = s.Name, s.Branch
			}
		}
		if p.Source == "" {
			return fmt.Errorf("%w in %s renders %s (known sources: %v): name one with --source, or add the folder to gitward.yaml",
				ErrNoSource, cfg.File, p.Path, cfg.SourceNames())
		}
	}
	if err := provenance.ValidateSource(p.Source); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	return nil
}

// render renders Path from the working tree and from HEAD and compares.
func (p *Plan) render(ctx context.Context, repo *gitrepo.Repo, head plumbing.Hash, o Options) error {
	ro := render.Options{AllowRemote: o.AllowRemote, Origins: true}
	// Flux and Argo CD objects become the objects they make, which sync
	// applies stamped like the rest (pkg/expand).
	x := expand.ForCheckout(p.Root)
	if cfg, err := config.Load(p.Root); err == nil && !cfg.ExpandsAt(p.Path) {
		x.Skip = true
	}
	diskX, err := x.Dir(ctx, p.Root, p.Path, ro)
	if err != nil {
		return fmt.Errorf("sync %s: %w", p.Source, err)
	}
	disk := diskX.Result
	tree, err := repo.TreeFS(head)
	if err != nil {
		return fmt.Errorf("sync %s: %w", p.Source, err)
	}
	var committed *render.Result
	committedX, cerr := x.FS(ctx, tree, p.Path, ro)
	if cerr == nil {
		committed = committedX.Result
	}
	same := cerr == nil && sameYAML(disk, committed)
	res := committed
	if !same {
		changed := dirtyFiles(repo)
		if !o.AllowDirty {
			why := "uncommitted changes"
			if cerr != nil {
				why = fmt.Sprintf("at HEAD it does not render (%v)", cerr)
			}
			return fmt.Errorf("sync %s: %w: the working tree's rendering of %s differs from its rendering at HEAD %s (%s; changed files: %s): "+
				"commit them first, or pass --allow-dirty (the objects would carry commit %s, which does not describe them, and the webhook would refuse them)",
				p.Source, ErrDirty, p.Path, p.Commit.Short(), why, changed, p.Commit.Short())
		}
		p.Dirty, res = true, disk
		p.Warnings = append(p.Warnings, fmt.Sprintf("the working tree's rendering of %s differs from HEAD %s (changed files: %s); applying it anyway (--allow-dirty)",
			p.Path, p.Commit.Short(), changed))
	}
	p.Objects = make([]apply.Object, len(res.Objects))
	for i, u := range res.Objects {
		p.Objects[i] = apply.Object{Object: u}
		if i < len(res.Origins) {
			p.Objects[i].File = res.Origins[i].Path
		}
	}
	return nil
}

// checkBranch warns when HEAD is not on the source's branch.
func (p *Plan) checkBranch(repo *gitrepo.Repo, head plumbing.Hash) {
	if p.Branch == "" {
		return
	}
	tip, err := repo.Head(p.Branch)
	if err != nil {
		p.Warnings = append(p.Warnings, fmt.Sprintf("cannot tell whether HEAD %s is on branch %s: %v", p.Commit.Short(), p.Branch, err))
		return
	}
	if ok, err := repo.IsAncestor(head, tip); err == nil && !ok {
		p.Warnings = append(p.Warnings, fmt.Sprintf("HEAD %s is not on branch %s of source %s: the webhook admits only commits on the tracked branch; merge and push first",
			p.Commit.Short(), p.Branch, p.Source))
	}
}

func sameYAML(a, b *render.Result) bool {
	ya, err1 := a.YAML()
	yb, err2 := b.YAML()
	return err1 == nil && err2 == nil && bytes.Equal(ya, yb)
}

// dirtyFiles names the changed and untracked files of the checkout.
func dirtyFiles(repo *gitrepo.Repo) string {
	wt, err := repo.Git().Worktree()
	if err != nil {
		return "unknown"
	}
	st, err := wt.Status()
	if err != nil {
		return "unknown"
	}
	var files []string
	for f, s := range st {
		if s.Staging != ' ' || s.Worktree != ' ' {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return "none"
	}
	if len(files) > maxListed {
		files = append(files[:maxListed], fmt.Sprintf("and %d more", len(files)-maxListed))
	}
	return strings.Join(files, ", ")
}

// relativeTo returns dir as a clean slash path relative to root.
func relativeTo(root, dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("folder %s is outside the checkout %s", dir, root)
	}
	return filepath.ToSlash(rel), nil
}
