package trace

import (
	"context"
	"errors"
	"fmt"
	"github.com/gitward/gitward/pkg/expand"
	"path"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
)

// Sentinel errors of Trace.
var (
	// ErrNotManaged: the object carries no gitward.dev/source label.
	ErrNotManaged = errors.New("not managed by gitward")
	// ErrNoCommit: the object has the source label but no valid commit
	// annotation.
	ErrNoCommit = errors.New("no valid commit annotation")
	// ErrCommitNotLocal: the object's commit is not in the local repository.
	ErrCommitNotLocal = errors.New("commit not in the local repository")
	// ErrUnknownSource: gitward.yaml at the commit does not name the source.
	ErrUnknownSource = errors.New("source not found in the repository's configuration")
)

// LiveFunc compares desired objects with the cluster; diff.Live by default.
type LiveFunc func(ctx context.Context, desired []*unstructured.Unstructured, o diff.LiveOptions) (*diff.Result, error)

// Options configures Trace.
type Options struct {
	// Object is the live object to trace (see Lookup). Required.
	Object *unstructured.Unstructured
	// Repo is a local clone or checkout of the source's repository. Required.
	Repo *gitrepo.Repo
	// RepoDir names the repository in messages.
	RepoDir string
	// Path is the folder to render when gitward.yaml at the commit does
	// not give the source's path.
	Path string
	// Dynamic and Mapper compare the live object with Git; without them the
	// live comparison is skipped.
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
	// Diff configures the live comparison's diff (Masker, context lines).
	Diff diff.Options
	// Live replaces diff.Live (tests).
	Live LiveFunc
}

// Result is what Trace found.
type Result struct {
	// Object names the live object: "Deployment.apps shop/web".
	Object string `json:"object"`
	Source Source `json:"source"`
	Commit Commit `json:"commit"`
	// Declared reports whether Git at the commit declares the object.
	Declared bool `json:"declared"`
	// File is the repository file that declares the object (for a
	// generated object, the kustomization holding the generator).
	File      string `json:"file,omitempty"`
	Generator string `json:"generator,omitempty"`
	// Live compares the live object with Git at the commit; nil when it
	// was not compared.
	Live *Live `json:"live,omitempty"`
	// Notes explain what could not be found, for people.
	Notes []string `json:"notes,omitempty"`
}

// Source is the source that declares the object.
type Source struct {
	Name string `json:"name"`
	// Config is where the source is defined at the commit: "gitward.yaml",
	// or the conventional layout the configuration was inferred from.
	Config string `json:"config,omitempty"`
	Repo   string `json:"repo,omitempty"`
	Branch string `json:"branch,omitempty"`
	Path   string `json:"path,omitempty"`
}

// Commit is the commit the object's content was rendered from.
type Commit struct {
	ID          string    `json:"id"`
	Author      string    `json:"author"`
	AuthorEmail string    `json:"authorEmail"`
	Date        time.Time `json:"date"`
	Subject     string    `json:"subject"`
}

// Live is the comparison of the live object with Git at the commit.
type Live struct {
	Differs  bool           `json:"differs"`
	Fields   []string       `json:"fields,omitempty"`
	Managers []diff.Manager `json:"managers,omitempty"`
	Diff     string         `json:"diff,omitempty"`
}

// Trace finds the source, commit and file of o.Object and compares it with
// Git at that commit.
func Trace(ctx context.Context, o Options) (*Result, error) {
	if o.Object == nil || o.Repo == nil {
		return nil, errors.New("trace: Options.Object and Options.Repo are required")
	}
	ref := provenance.ObjectRef(o.Object)
	source, ok := provenance.SourceOf(o.Object)
	if !ok || source == "" {
		return nil, fmt.Errorf("%s: %w: it has no %s label, so no source declares it (it was created by hand or by a controller)",
			ref, ErrNotManaged, provenance.LabelSource)
	}
	rawCommit := o.Object.GetAnnotations()[provenance.AnnotationCommit]
	commitID, err := provenance.ParseCommit(rawCommit)
	if err != nil {
		return nil, fmt.Errorf("%s: source %q: %w: annotation %s: %w", ref, source, ErrNoCommit, provenance.AnnotationCommit, err)
	}
	res := &Result{Object: ref, Source: Source{Name: source}, Commit: Commit{ID: string(commitID)}}
	h := plumbing.NewHash(string(commitID))
	c, err := o.Repo.Commit(h)
	if err != nil {
		if errors.Is(err, gitrepo.ErrCommitNotFound) {
			return nil, fmt.Errorf("%s: source %q, commit %s: %w %s: fetch it (git fetch origin, or git fetch --unshallow for a shallow clone) or point --repo at a clone that has it",
				ref, source, commitID, ErrCommitNotLocal, o.repoName())
		}
		return nil, fmt.Errorf("%s: commit %s: %w", ref, commitID, err)
	}
	res.Commit.Author, res.Commit.AuthorEmail, res.Commit.Date = c.Author.Name, c.Author.Email, c.Author.When
	res.Commit.Subject = subject(c.Message)

	declared, err := o.declared(ctx, h, res)
	if err != nil {
		return nil, err
	}
	if declared == nil {
		res.Notes = append(res.Notes, fmt.Sprintf("Git at %s does not declare %s under %s: the label was set by hand, or the object was renamed (the agent prunes it)",
			commitID.Short(), ref, res.Source.Path))
		return res, nil
	}
	res.Declared = true
	if o.Dynamic != nil && o.Mapper != nil {
		if res.Live, err = o.compare(ctx, declared); err != nil {
			return nil, fmt.Errorf("%s: compare with Git at %s: %w", ref, commitID.Short(), err)
		}
	}
	return res, nil
}

// declared renders the source at h and returns the object's declaration,
// filling in the source's definition and the declaring file; nil when Git
// does not declare it.
func (o *Options) declared(ctx context.Context, h plumbing.Hash, res *Result) (*unstructured.Unstructured, error) {
	tree, err := o.Repo.TreeFS(h)
	if err != nil {
		return nil, fmt.Errorf("%s: read the tree of %s: %w", res.Object, h, err)
	}
	folder := o.Path
	cfg, cfgErr := config.LoadFS(tree)
	if cfgErr == nil {
		res.Source.Config = cfg.File
		if res.Source.Config == "" {
			res.Source.Config = cfg.Layout
		}
		if src, err := cfg.Source(res.Source.Name); err == nil {
			res.Source.Repo, res.Source.Branch = src.Repo, src.Branch
			if folder == "" {
				folder = src.Path
			}
		}
	}
	if folder == "" {
		why := fmt.Sprintf("sources at %s: %v", h.String()[:7], sourceNames(cfg))
		if cfgErr != nil {
			why = cfgErr.Error()
		}
		return nil, fmt.Errorf("%s: source %q: %w (%s): pass --path with the folder the source renders",
			res.Object, res.Source.Name, ErrUnknownSource, why)
	}
	res.Source.Path = path.Clean(folder)
	rx, err := expand.ForCheckout("").FS(ctx, tree, res.Source.Path, render.Options{Origins: true, SkipYAML: true})
	var r *render.Result
	if err == nil {
		r = rx.Result
	}
	if err != nil {
		return nil, fmt.Errorf("%s: render source %q (%s) at %s: %w", res.Object, res.Source.Name, res.Source.Path, h.String()[:7], err)
	}
	for i, d := range r.Objects {
		if !sameObject(d, o.Object) {
			continue
		}
		if i < len(r.Origins) {
			res.File, res.Generator = r.Origins[i].Path, r.Origins[i].Generator
		}
		return d, nil
	}
	return nil, nil
}

// compare diffs the live object with its declaration (keeping the live
// contract, as the agent would stamp the same commit).
func (o *Options) compare(ctx context.Context, declared *unstructured.Unstructured) (*Live, error) {
	live := o.Live
	if live == nil {
		live = diff.Live
	}
	d := declared.DeepCopy()
	if d.GetNamespace() == "" {
		d.SetNamespace(o.Object.GetNamespace())
	}
	res, err := live(ctx, []*unstructured.Unstructured{d}, diff.LiveOptions{
		Dynamic: o.Dynamic, Mapper: o.Mapper, DefaultNamespace: o.Object.GetNamespace(), Diff: o.Diff,
	})
	if err != nil {
		return nil, err
	}
	out := &Live{}
	for _, od := range res.Objects {
		out.Differs = true
		out.Fields = append(out.Fields, od.Fields...)
		out.Managers = append(out.Managers, od.Managers...)
		out.Diff += od.Diff
	}
	return out, nil
}

// sameObject reports whether the rendered d declares the live object u.
// A rendered namespaced object without a namespace lands in the default
// namespace of whoever applied it, so any namespace matches it.
func sameObject(d, u *unstructured.Unstructured) bool {
	dg, ug := d.GroupVersionKind(), u.GroupVersionKind()
	if dg.Group != ug.Group || dg.Kind != ug.Kind || d.GetName() != u.GetName() {
		return false
	}
	return d.GetNamespace() == "" || d.GetNamespace() == u.GetNamespace()
}

func (o *Options) repoName() string {
	if o.RepoDir == "" {
		return "(the repository)"
	}
	return "at " + o.RepoDir
}

func sourceNames(cfg *config.Config) []string {
	if cfg == nil {
		return nil
	}
	return cfg.SourceNames()
}

// subject is the first line of a commit message.
func subject(msg string) string {
	for i := 0; i < len(msg); i++ {
		if msg[i] == '\n' {
			return msg[:i]
		}
	}
	return msg
}
