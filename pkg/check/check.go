package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/expand"
	"github.com/gitward/gitward/pkg/policy"
	"github.com/gitward/gitward/pkg/render"
)

// ErrUnknownEnvironment is returned when Options.Environments names an
// environment the configuration does not define.
var ErrUnknownEnvironment = errors.New("unknown environment")

// Options say what to check.
type Options struct {
	// Root is the repository root on disk; used when FS is nil.
	Root string
	// FS is a repository tree to check instead, e.g. a Git commit's
	// (gitrepo.Repo.TreeFS).
	FS fs.FS
	// Config is the repository's configuration; nil loads it from Root or
	// FS (gitward.yaml, else conventional layouts).
	Config *config.Config
	// Environments to check, by name; empty checks all of them.
	Environments []string
	// AllowRemote lets kustomize fetch remote bases.
	AllowRemote bool
	// AuditWarn reports failures of Kyverno policies in Audit mode as
	// warnings that do not fail the check.
	AuditWarn bool
	// Rendered are environments already rendered, by environment name
	// (e.g. promote's rendering of the target after the change); Run
	// checks these objects instead of rendering the environment again.
	// Render them with render.Options{Origins: true} so that findings
	// name files; without Origins the findings name none. The objects are
	// not modified.
	Rendered map[string]*render.Result
	// Expander expands Flux and Argo CD objects to the objects they make
	// (pkg/expand); nil means expand.ForCheckout(Root), or a zero Expander
	// for FS.
	Expander *expand.Expander

	cfg          *config.Config
	renders      map[string]*render.Result // environments rendered by destinations
	destinations map[string]string         // folder → Argo CD destination.namespace
}

// Run checks the environments. Problems of the repository's content are
// findings in the Report; an error means the check itself could not run
// (no configuration, an unknown environment, a cancelled context).
func Run(ctx context.Context, o Options) (*Report, error) {
	fsys := o.FS
	if fsys == nil {
		if o.Root == "" {
			return nil, errors.New("check: neither a repository root nor a tree to check")
		}
		fsys = os.DirFS(o.Root)
	}
	cfg := o.Config
	if cfg == nil {
		var err error
		if o.FS != nil {
			cfg, err = config.LoadFS(o.FS)
		} else {
			cfg, err = config.Load(o.Root)
		}
		if err != nil {
			return nil, err
		}
	}
	envs, err := selectEnvironments(cfg, o.Environments)
	if err != nil {
		return nil, err
	}
	if o.Expander == nil {
		o.Expander = &expand.Expander{}
		if o.FS == nil {
			o.Expander = expand.ForCheckout(o.Root)
		}
	}
	// In an Argo CD layout an app-of-apps environment names the namespaces
	// of the others: render them all first. Otherwise the selection is
	// enough (and each is rendered once either way).
	scope := envs
	if cfg.Layout == config.LayoutArgoCD {
		scope = cfg.Environments
	}
	o.cfg = cfg
	o.destinations = destinations(ctx, scope, &o)
	rep := &Report{}
	set := loadPolicies(fsys, cfg.Policies, rep)
	for _, env := range envs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		er, err := checkEnvironment(ctx, fsys, env, set, o)
		if err != nil {
			return nil, err
		}
		rep.Environments = append(rep.Environments, *er)
	}
	return rep, nil
}

func selectEnvironments(cfg *config.Config, names []string) ([]config.Environment, error) {
	if len(names) == 0 {
		return cfg.Environments, nil
	}
	var out []config.Environment
	for _, n := range names {
		env, err := cfg.Environment(n)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %w", ErrUnknownEnvironment, n, err)
		}
		if !slices.Contains(out, env) {
			out = append(out, env)
		}
	}
	return out, nil
}

// loadPolicies loads each configured path on its own, so that one broken
// file is a finding and the others are still evaluated.
func loadPolicies(fsys fs.FS, paths []string, rep *Report) *policy.Set {
	set := &policy.Set{}
	for _, p := range paths {
		s, err := policy.Load(fsys, p)
		if err != nil {
			rep.Findings = append(rep.Findings, Finding{
				Kind: KindPolicyInvalid, Status: policy.StatusError, File: p,
				Message: fmt.Sprintf("%v; fix the file or remove it from policies in gitward.yaml", err),
			})
			continue
		}
		set.Merge(s)
	}
	for _, inv := range set.Invalid() {
		rep.Findings = append(rep.Findings, Finding{
			Kind: KindPolicyInvalid, Status: policy.StatusError, File: inv.File, Policy: inv.Key(), PolicyFile: inv.File,
			Message: fmt.Sprintf("Kyverno rejects %s %s: %v", inv.Kind, inv.Key(), inv.Err),
		})
	}
	for _, w := range set.Warnings() {
		rep.Warnings = append(rep.Warnings, w.String())
	}
	rep.Policies = set.Policies()
	return set
}

func checkEnvironment(ctx context.Context, fsys fs.FS, env config.Environment, set *policy.Set, o Options) (*EnvironmentReport, error) {
	er := &EnvironmentReport{Name: env.Name, Path: env.Path}
	res, err := renderEnvironment(ctx, env, o)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		er.add(Finding{Kind: KindRender, Status: policy.StatusError, File: env.Path,
			Message: fmt.Sprintf("environment %s does not render: %v", env.Name, err)})
		return er, nil
	}
	objs := res.Objects
	er.Objects = len(objs)
	er.Files = make([]string, len(objs))
	for i := range objs {
		if i < len(res.Origins) {
			er.Files[i] = res.Origins[i].Path
		}
	}
	checkSecrets(er, objs)
	checkDuplicates(er, objs)
	checkNamespaces(er, objs, o.destinations[path.Clean(env.Path)])
	if set.Len() > 0 {
		if err := checkPolicies(ctx, er, objs, set, o); err != nil {
			return nil, err
		}
	}
	_ = fsys
	return er, nil
}

// renderEnvironment returns the rendering of env given in o.Rendered, or
// renders it with origins.
func renderEnvironment(ctx context.Context, env config.Environment, o Options) (*render.Result, error) {
	if res := o.Rendered[env.Name]; res != nil {
		return res, nil
	}
	if res := o.renders[env.Name]; res != nil {
		return res, nil
	}
	ro := render.Options{AllowRemote: o.AllowRemote, Origins: true, SkipYAML: true}
	x := o.Expander
	if x == nil {
		x = &expand.Expander{}
	}
	x = skipIf(x, !o.cfg.ExpandsAt(env.Path))
	var (
		res *expand.Result
		err error
	)
	if o.FS != nil {
		res, err = x.FS(ctx, o.FS, env.Path, ro)
	} else {
		res, err = x.Dir(ctx, o.Root, env.Path, ro)
	}
	if err != nil {
		return nil, err
	}
	if o.renders != nil {
		o.renders[env.Name] = res.Result
	}
	return res.Result, nil
}

// destinations renders every environment once (kept for the checks) and
// collects the folders Argo CD Applications deploy with their
// destination.namespace: an environment that is such a folder has its
// namespace from the Application, as Argo CD applies it.
func destinations(ctx context.Context, envs []config.Environment, o *Options) map[string]string {
	out := map[string]string{}
	o.renders = map[string]*render.Result{}
	x := o.Expander
	ro := render.Options{AllowRemote: o.AllowRemote, Origins: true, SkipYAML: true}
	for _, env := range envs {
		if o.Rendered[env.Name] != nil {
			continue
		}
		var (
			res *expand.Result
			err error
		)
		ex := skipIf(x, !o.cfg.ExpandsAt(env.Path))
		if o.FS != nil {
			res, err = ex.FS(ctx, o.FS, env.Path, ro)
		} else {
			res, err = ex.Dir(ctx, o.Root, env.Path, ro)
		}
		if err != nil {
			continue // reported when the environment is checked
		}
		o.renders[env.Name] = res.Result
		for dir, ns := range res.Destinations {
			if ns != "" {
				out[dir] = ns
			}
		}
	}
	return out
}

func checkPolicies(ctx context.Context, er *EnvironmentReport, objs []*unstructured.Unstructured, set *policy.Set, o Options) error {
	pr, err := set.Evaluate(ctx, objs, policy.Options{NamespaceLabels: namespaceLabels(objs), AuditWarn: o.AuditWarn})
	if err != nil {
		return fmt.Errorf("environment %s: %w", er.Name, err)
	}
	er.Policy = pr
	for _, r := range pr.Results {
		if r.Status != policy.StatusFail && r.Status != policy.StatusError && r.Status != policy.StatusWarn {
			continue
		}
		obj := r.Object
		er.add(Finding{
			Kind: KindPolicy, Status: r.Status, Object: &obj, File: er.fileOf(r.ObjectIndex),
			Policy: r.Policy, Rule: r.Rule, PolicyFile: r.PolicyFile, Message: r.Message,
		})
	}
	return nil
}

// namespaceLabels are the labels of the Namespaces in the rendering, for
// policies with a namespaceSelector.
func namespaceLabels(objs []*unstructured.Unstructured) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, o := range objs {
		if o.GetKind() == "Namespace" && o.GetAPIVersion() == "v1" {
			l := o.GetLabels()
			if l == nil {
				l = map[string]string{}
			}
			if _, ok := l["kubernetes.io/metadata.name"]; !ok {
				l["kubernetes.io/metadata.name"] = o.GetName()
			}
			out[o.GetName()] = l
		}
	}
	return out
}

// skipIf returns a copy of x that leaves Flux and Argo CD objects as they
// are when skip is set (the source says expand: false).
func skipIf(x *expand.Expander, skip bool) *expand.Expander {
	if !skip {
		return x
	}
	c := *x
	c.Skip = true
	return &c
}
