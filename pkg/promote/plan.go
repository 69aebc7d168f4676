package promote

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/render"
)

// PlanOptions say what to promote.
type PlanOptions struct {
	// Config is the repository's configuration.
	Config *config.Config
	// From and To name the environments.
	From, To string
	// Source is the tree the source environment is read from: a commit's
	// tree (gitrepo.Repo.TreeFS), or the working tree.
	Source fs.FS
	// Target is the working tree the target environment is edited in.
	Target fs.FS
	// Render renders an environment with its Flux and Argo CD objects
	// expanded (pkg/expand); nil renders with kustomize only. It pairs the
	// folders Flux Kustomizations of the two environments deploy, and
	// compares the two renderings when no rule moves anything.
	Render RenderFunc
	// Context bounds Render; nil means context.Background().
	Context context.Context
}

// RenderFunc renders folder p of fsys; the cmd layer plugs in pkg/expand,
// so that HelmReleases and Applications count as the objects they make.
type RenderFunc func(ctx context.Context, fsys fs.FS, p string, o render.Options) (*render.Result, error)

// Plan is a promotion worked out but not applied.
type Plan struct {
	From, To config.Environment
	// Moves lists what moves, in rule order: images, configMapGenerator
	// literals, YAML paths, files.
	Moves []Move
	// Notes are things that did not move and the user should know.
	Notes []string
	// Changes maps each target file that changes (slash path from the
	// repository root) to its new content; nil deletes it.
	Changes map[string][]byte
}

// NewPlan works out a promotion. It returns ErrNothingToPromote when the
// target already has every value the rules move.
func NewPlan(o PlanOptions) (*Plan, error) {
	from, err := o.Config.Environment(o.From)
	if err != nil {
		return nil, err
	}
	to, err := o.Config.Environment(o.To)
	if err != nil {
		return nil, err
	}
	if from.Path == to.Path {
		return nil, fmt.Errorf("%w: %s and %s are both %s; promote between two environments", ErrSameEnvironment, from.Name, to.Name, from.Path)
	}
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	p := &planner{src: o.Source, dst: o.Target, from: from, to: to, rules: o.Config.Promotion,
		yamls: map[string]*yamlFile{}, copies: map[string][]byte{}, ctx: ctx, render: o.Render}
	if err := p.run(); err != nil {
		return nil, err
	}
	changes, err := p.changes()
	if err != nil {
		return nil, err
	}
	plan := &Plan{From: from, To: to, Moves: p.moves, Notes: p.notes, Changes: changes}
	if len(changes) == 0 {
		left := p.leftDifferences()
		if left == "" && p.render != nil {
			return plan, fmt.Errorf("%w: %s already has what %s has (%s; the renderings match too)", ErrNothingToPromote, to.Name, from.Name, p.describeRules())
		}
		return plan, fmt.Errorf("%w: %s already has what %s has (%s)%s", ErrNothingToPromote, to.Name, from.Name, p.describeRules(), left)
	}
	return plan, nil
}

// run applies every rule.
func (p *planner) run() error {
	if _, ok, err := exists(p.src, p.from.Path); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%s: folder %s does not exist in the source tree", p.from.Name, p.from.Path)
		}
		return err
	}
	pairs, missing, err := pairKustomizations(p.src, p.from.Path, p.dst, p.to.Path)
	if err != nil {
		return err
	}
	for _, rel := range missing {
		p.note("%s has a kustomization in %s that %s lacks; its images are not promoted", p.from.Name, rel, p.to.Name)
	}
	if p.rules.Images {
		for _, pair := range pairs {
			if err := p.promoteImages(pair); err != nil {
				return err
			}
		}
	}
	dirs := make([]dirPair, 0, len(pairs))
	for _, pair := range pairs {
		dirs = append(dirs, dirPair{from: path.Dir(pair.from), to: path.Dir(pair.to)})
	}
	fluxDirs, err := p.fluxPairs()
	if err != nil {
		return err
	}
	for _, d := range fluxDirs {
		fp, fmissing, err := pairKustomizations(p.src, d.from, p.dst, d.to)
		if err != nil {
			return err
		}
		for _, rel := range fmissing {
			p.note("%s has a kustomization in %s that %s lacks; it is not promoted", p.from.Name, path.Join(d.from, rel), p.to.Name)
		}
		for _, pair := range fp {
			if p.rules.Images {
				if err := p.promoteImages(pair); err != nil {
					return err
				}
			}
			dirs = append(dirs, dirPair{from: path.Dir(pair.from), to: path.Dir(pair.to)})
		}
	}

	for _, rule := range p.rules.ConfigMapLiterals {
		for _, pair := range pairs {
			if err := p.promoteLiterals(pair, rule); err != nil {
				return err
			}
		}
	}
	for i, rule := range p.rules.YAMLPaths {
		if err := p.promoteYAMLPath(i, rule); err != nil {
			return err
		}
	}
	for i, rule := range p.rules.Files {
		if err := p.promoteFile(i, rule); err != nil {
			return err
		}
	}
	// Chart versions last: a yamlPaths rule naming the same field has moved
	// it already (and its move is the one listed).
	return p.promoteCharts(dirs)
}

// describeRules says what was compared, for "nothing to promote".
func (p *planner) describeRules() string {
	var what []string
	if p.rules.Images {
		what = append(what, "images")
	}
	what = append(what, "chart versions")
	if n := len(p.rules.ConfigMapLiterals); n > 0 {
		what = append(what, fmt.Sprintf("%d configMapGenerator rule(s)", n))
	}
	if n := len(p.rules.YAMLPaths); n > 0 {
		what = append(what, fmt.Sprintf("%d YAML path(s)", n))
	}
	if n := len(p.rules.Files); n > 0 {
		what = append(what, fmt.Sprintf("%d file rule(s)", n))
	}

	return "compared " + strings.Join(what, ", ")
}

// Paths returns the changed target files, sorted.
func (p *Plan) Paths() []string { return slices.Sorted(maps.Keys(p.Changes)) }

// Message is the commit message of the promotion from commit.
func (p *Plan) Message(commit string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Promote %s to %s\n\n", p.From.Name, p.To.Name)
	fmt.Fprintf(&b, "Moved from %s (%s) to %s (%s):\n", p.From.Name, p.From.Path, p.To.Name, p.To.Path)
	for _, m := range p.Moves {
		fmt.Fprintf(&b, "- %s\n", m)
	}
	fmt.Fprintf(&b, "\n%s: %s@%s\n", TrailerPromotedFrom, p.From.Name, commit)
	return b.String()
}

// TrailerPromotedFrom is the trailer naming the source of a promotion.
const TrailerPromotedFrom = "Promoted-From"
