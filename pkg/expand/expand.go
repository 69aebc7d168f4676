package expand

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/gitward/gitward/pkg/chartfetch"
	"github.com/gitward/gitward/pkg/helm"
	"github.com/gitward/gitward/pkg/render"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// DefaultMaxDepth bounds how deep expansions nest.
const DefaultMaxDepth = 8

// DefaultKubeVersion is .Capabilities.KubeVersion of an expansion: the
// Kubernetes release this module's client libraries (k8s.io v0.36) speak.
// A controller renders with its cluster's version; Helm's offline default
// (v1.20) would refuse current charts (podinfo wants >=1.23).
const DefaultKubeVersion = "v1.36.0"

// ErrCycle: an expansion reaches itself again.
var ErrCycle = errors.New("expansion cycle")

// Expander expands a rendering. The zero value expands sources of this
// repository and refuses remote charts (no chart cache).
type Expander struct {
	// Charts fetches charts from HTTP and OCI repositories; nil means a
	// HelmRelease or Application naming a remote chart is an error.
	Charts *chartfetch.Fetcher
	// RepoURLs are the URLs that name this repository (its origin, and the
	// repo of the source being rendered): an Application's repoURL or a
	// Flux GitRepository's spec.url equal to one of them (ignoring scheme,
	// user, ".git" and a trailing "/") is read from the tree being rendered.
	RepoURLs []string
	// Branch is the branch being rendered; a GitRepository or Application
	// naming another branch or revision is another source. "" accepts any.
	Branch string
	// Skip leaves Flux and Argo CD objects as they are (no expansion): the
	// choice for a source whose Flux or Argo CD controllers keep running.
	Skip bool
	// MaxDepth bounds nesting; 0 means DefaultMaxDepth.
	MaxDepth int
	// Limits bound each chart render (pkg/helm's defaults for zero fields).
	Limits helm.Limits
	// KubeVersion is the Kubernetes version charts see; "" means
	// DefaultKubeVersion.
	KubeVersion string
}

func (x *Expander) kubeVersion() string {
	if x.KubeVersion != "" {
		return x.KubeVersion
	}
	return DefaultKubeVersion
}

// Note says why an object was kept as it is.
type Note struct {
	// Object is "Kind namespace/name".
	Object string
	// Reason is a sentence.
	Reason string
}

func (n Note) String() string { return n.Object + ": " + n.Reason }

// Result is an expanded rendering.
type Result struct {
	*render.Result
	// Notes name the Flux and Argo CD objects kept as they are, and why.
	Notes []Note
	// Expanded names the objects replaced by their expansion ("Kind
	// namespace/name"), in the order expanded.
	Expanded []string
	// Destinations maps the folders of this repository that Argo CD
	// Applications deploy (source.path) to their destination.namespace,
	// for every Application met, expanded or not.
	Destinations map[string]string
}

// FS renders folder p of fsys (as render.FS does) and expands the result.
// A folder without a kustomization is rendered as Flux renders it (every
// YAML file below it).
func (x *Expander) FS(ctx context.Context, fsys fs.FS, p string, o render.Options) (*Result, error) {
	ov := newOverlay(fsys)
	dir := cleanPath(p)
	if !hasKustomization(ov, dir) {
		// pkg/render first: it knows gitward.yaml's chart environments.
		res, err := render.FS(ctx, fsys, p, o)
		if err == nil {
			return x.Expand(ctx, fsys, res, o)
		}
		if !errors.Is(err, render.ErrNoKustomization) {
			return nil, err
		}
		if isChartDir(ov, dir) {
			return x.chartDir(ctx, ov, dir, o)
		}
		if gerr := generateKustomization(ov, dir, true); gerr != nil {
			return nil, err // render's message says what the folder lacks
		}
	}
	res, err := render.FS(ctx, ov, dir, o)
	if err != nil {
		return nil, err
	}
	return x.expandIn(ctx, ov, res, o)
}

// Dir renders folder p below root on disk (as render.Dir does: nothing
// outside root is read) and expands the result.
func (x *Expander) Dir(ctx context.Context, root, p string, o render.Options) (*Result, error) {
	r, rel, _, err := render.OpenRoot(root, p)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return x.FS(ctx, r.FS(), filepath.ToSlash(rel), o)
}

// Expand expands res, a rendering of a folder of fsys.
func (x *Expander) Expand(ctx context.Context, fsys fs.FS, res *render.Result, o render.Options) (*Result, error) {
	return x.expandIn(ctx, newOverlay(fsys), res, o)
}

func (x *Expander) expandIn(ctx context.Context, ov *overlayFS, res *render.Result, o render.Options) (*Result, error) {
	out := &Result{Result: res, Destinations: map[string]string{}}
	if x.Skip || !mayExpand(res.Objects) {
		return out, nil
	}
	w := &walk{x: x, fsys: ov, opts: o, out: out, index: newIndex(), visiting: map[string]bool{}}
	objs, origins, err := w.level(ctx, res.Objects, res.Origins, 0)
	if err != nil {
		return nil, err
	}
	out.Result = &render.Result{Objects: objs, Origins: origins}
	return out, nil
}

// mayExpand reports whether any object is one this package expands, so
// that a plain rendering is returned as it is (its YAML byte-identical to
// kustomize's).
func mayExpand(objs []*unstructured.Unstructured) bool {
	for _, u := range objs {
		if kindOf(u) != other {
			return true
		}
	}
	return false
}

// cleanPath makes a Flux or Argo CD path ("./apps/staging", "apps/") a
// clean slash path relative to the root.
func cleanPath(p string) string {
	p = strings.TrimPrefix(filepath.ToSlash(p), "/")
	c := filepath.ToSlash(filepath.Clean(p))
	if c == "" {
		return "."
	}
	return c
}

// describe names an object as "Kind namespace/name".
func describe(u *unstructured.Unstructured) string {
	if ns := u.GetNamespace(); ns != "" {
		return u.GetKind() + " " + ns + "/" + u.GetName()
	}
	return u.GetKind() + " " + u.GetName()
}

// chartDir renders a chart folder that has no kustomization (an Argo CD
// Helm source, a chart kept in the repository) with its own values, as
// `helm template <folder>` does, release named after the folder, and
// expands what it makes (an app-of-apps chart makes Applications).
func (x *Expander) chartDir(ctx context.Context, ov *overlayFS, dir string, o render.Options) (*Result, error) {
	out := &Result{Destinations: map[string]string{}}
	w := &walk{x: x, fsys: ov, opts: o, out: out, index: newIndex(), visiting: map[string]bool{}}
	e, err := w.renderChart(ctx, chartSource{dir: dir, label: "chart " + dir}, release{name: path.Base(dir)})
	if err != nil {
		return nil, fmt.Errorf("render %q: %w", dir, err)
	}
	objs, origins := e.objs, e.origins
	if !x.Skip && mayExpand(objs) {
		if objs, origins, err = w.level(ctx, objs, origins, 0); err != nil {
			return nil, err
		}
	}
	out.Result = &render.Result{Objects: objs, Origins: origins}
	return out, nil
}

// isChartDir reports whether folder dir holds a Chart.yaml.
func isChartDir(fsys fs.FS, dir string) bool {
	fi, err := fs.Stat(fsys, path.Join(dir, "Chart.yaml"))
	return err == nil && !fi.IsDir()
}

// Objects renders and expands folder p of fsys and returns the objects: the
// shape of gitview.Options.Render (the webhook's view of Git) and of the
// agent's render step, so either can plug an Expander in with one line.
func (x *Expander) Objects(ctx context.Context, fsys fs.FS, p string) ([]*unstructured.Unstructured, error) {
	res, err := x.FS(ctx, fsys, p, render.Options{SkipYAML: true})
	if err != nil {
		return nil, err
	}
	return res.Objects, nil
}
