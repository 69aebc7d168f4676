package promote

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/expand"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/render"
	"github.com/gitward/gitward/pkg/worktree"
)

// LiveSource tells which commit an environment's cluster runs (see
// --require-live and LiveCommit).
type LiveSource interface {
	Commit(ctx context.Context, cfg *config.Config, env config.Environment, repo *gitrepo.Repo) (plumbing.Hash, error)
}

// Options say what to promote and how to commit it.
type Options struct {
	// Dir is any folder of the checkout.
	Dir string
	// From and To name the environments.
	From, To string
	// AllowDirty promotes even when the working tree has uncommitted
	// changes, as long as none is in a file the promotion writes. FROM is
	// always read from a commit, so uncommitted changes never move.
	AllowDirty bool
	// SkipSealed promotes everything except files holding SealedSecrets
	// that must be re-sealed, instead of refusing.
	SkipSealed bool
	// Live, when set, promotes from the commit FROM's cluster runs instead
	// of HEAD.
	Live LiveSource
	// Check replaces BuiltinCheck (the cmd layer plugs in pkg/check).
	Check Checker
	// Commit says how to commit (Branch, Push); Message is set by Commit.
	Commit worktree.Options
	// Git runs git; nil: worktree.ExecRunner{}.
	Git worktree.Runner
	// Masker masks Secret values in the diff; nil: a random one.
	Masker *diff.Masker
	// Render renders environments; nil expands Flux and Argo CD objects
	// with expand.ForCheckout (charts cached in the user's cache folder).
	Render RenderFunc
}

// Promotion is a promotion planned, rendered and checked, not yet committed.
type Promotion struct {
	Plan    *Plan
	Preview *Preview
	// FromCommit is the commit FROM was read from (HEAD, or the live one).
	FromCommit string
	// Live is true when FromCommit came from the cluster.
	Live bool
	// Reseals are the SealedSecrets left out (SkipSealed) or refused.
	Reseals []Reseal

	tree *worktree.Tree
	o    Options
}

// Prepare plans the promotion, renders TO before and after, and checks it.
// Refusals wrap ErrDirty, ErrNothingToPromote, ErrCheckFailed, ErrReseal,
// ErrSameEnvironment, config.ErrNotFound. On ErrCheckFailed and ErrReseal
// the returned Promotion is not nil, so the caller can show the diff.
func Prepare(ctx context.Context, o Options) (*Promotion, error) {
	s, err := openSession(ctx, o.Dir, o.Git, o.AllowDirty)
	if err != nil {
		return nil, err
	}
	from, err := s.cfg.Environment(o.From)
	if err != nil {
		return nil, err
	}
	p := &Promotion{FromCommit: s.head.String(), tree: s.tree, o: o}
	commit := s.head
	if o.Live != nil {
		if commit, err = o.Live.Commit(ctx, s.cfg, from, s.repo); err != nil {
			return nil, err
		}
		p.FromCommit, p.Live = commit.String(), true
	}
	src, err := s.repo.TreeFS(commit)
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", from.Name, commit, err)
	}
	target := os.DirFS(s.tree.Root)
	if o.Render == nil {
		o.Render = ConfigRender(s.cfg, expand.ForCheckout(s.tree.Root))
		p.o.Render = o.Render
	}
	p.Plan, err = NewPlan(PlanOptions{Config: s.cfg, From: o.From, To: o.To, Source: src, Target: target, Render: o.Render, Context: ctx})
	if err != nil {
		return nil, err
	}
	if err := s.touchesDirty(p.Plan.Paths()); err != nil {
		return nil, err
	}
	prev := PreviewOptions{Config: s.cfg, Env: p.Plan.To, Target: target, Changes: p.Plan.Changes, Check: o.Check, Masker: o.Masker, Render: o.Render}
	if p.Preview, err = NewPreview(ctx, prev); err != nil {
		return p, err
	}
	if p.Reseals, err = findReseals(ctx, p.Plan, src, p.Preview.After); err != nil || len(p.Reseals) == 0 {
		return p, err
	}
	if !o.SkipSealed {
		lines := make([]string, len(p.Reseals))
		for i, r := range p.Reseals {
			lines[i] = "  " + r.String()
		}
		return p, fmt.Errorf("%w before they can move from %s to %s (or pass --skip-sealed to promote the rest):\n%s",
			ErrReseal, p.Plan.From.Name, p.Plan.To.Name, strings.Join(lines, "\n"))
	}
	dropFiles(p.Plan, p.Reseals)
	if len(p.Plan.Changes) == 0 {
		return p, fmt.Errorf("%w: only SealedSecrets that must be re-sealed differ", ErrNothingToPromote)
	}
	prev.Changes = p.Plan.Changes
	p.Preview, err = NewPreview(ctx, prev)
	return p, err
}

// ExpandRender is the RenderFunc of an Expander.
func ExpandRender(x *expand.Expander) RenderFunc {
	return func(ctx context.Context, fsys fs.FS, p string, o render.Options) (*render.Result, error) {
		res, err := x.FS(ctx, fsys, p, o)
		if err != nil {
			return nil, err
		}
		return res.Result, nil
	}
}

// ConfigRender is ExpandRender, except for folders whose source says
// expand: false in gitward.yaml, which render with their Flux and Argo CD
// objects as they are.
func ConfigRender(cfg *config.Config, x *expand.Expander) RenderFunc {
	skip := *x
	skip.Skip = true
	expanding, leaving := ExpandRender(x), ExpandRender(&skip)
	return func(ctx context.Context, fsys fs.FS, p string, o render.Options) (*render.Result, error) {
		if cfg.ExpandsAt(p) {
			return expanding(ctx, fsys, p, o)
		}
		return leaving(ctx, fsys, p, o)
	}
}

// Message is the commit message.
func (p *Promotion) Message() string { return p.Plan.Message(p.FromCommit) }

// Commit writes, stages and commits the promotion (all or nothing).
func (p *Promotion) Commit(ctx context.Context) (*worktree.Result, error) {
	o := p.o.Commit
	o.Message = p.Message()
	return p.tree.Apply(ctx, toChanges(p.Plan.Changes), o)
}

// toChanges turns a change map into sorted worktree changes.
func toChanges(m map[string][]byte) []worktree.Change {
	out := make([]worktree.Change, 0, len(m))
	for name, c := range m {
		out = append(out, worktree.Change{Path: name, Content: c, Delete: c == nil})
	}
	slices.SortFunc(out, func(a, b worktree.Change) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// session is an opened checkout: its tree, repository, configuration and
// HEAD, and its uncommitted paths.
type session struct {
	tree  *worktree.Tree
	repo  *gitrepo.Repo
	cfg   *config.Config
	head  plumbing.Hash
	dirty []string
}

// openSession opens the checkout at dir and refuses a dirty tree unless
// allowDirty.
func openSession(ctx context.Context, dir string, git worktree.Runner, allowDirty bool) (*session, error) {
	tree, err := worktree.Open(ctx, dir, git)
	if err != nil {
		return nil, err
	}
	s := &session{tree: tree}
	if s.dirty, err = tree.Status(ctx); err != nil {
		return nil, err
	}
	if len(s.dirty) > 0 && !allowDirty {
		return nil, fmt.Errorf("%w in %s: %s; commit or stash them first (or pass --allow-dirty: uncommitted changes are never promoted, and files the command writes must be clean)",
			ErrDirty, tree.Root, listSome(s.dirty))
	}
	if s.repo, err = gitrepo.Open(tree.Root); err != nil {
		return nil, err
	}
	if s.head, err = s.repo.Resolve("HEAD"); err != nil {
		return nil, fmt.Errorf("resolve HEAD: %w", err)
	}
	if s.cfg, err = config.Load(tree.Root); err != nil {
		return nil, err
	}
	return s, nil
}

// touchesDirty refuses to write a path with uncommitted changes.
func (s *session) touchesDirty(paths []string) error {
	var both []string
	for _, p := range paths {
		for _, d := range s.dirty {
			if d == p || strings.HasPrefix(d, p+"/") || strings.HasPrefix(p, strings.TrimSuffix(d, "/")+"/") {
				both = append(both, p)
				break
			}
		}
	}
	if len(both) > 0 {
		return fmt.Errorf("%w in files this command would write: %s; commit or stash them first", ErrDirty, listSome(both))
	}
	return nil
}

// listSome joins up to five names, and says how many more there are.
func listSome(names []string) string {
	const most = 5
	if len(names) <= most {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:most], ", "), len(names)-most)
}
