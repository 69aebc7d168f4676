package render

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gitward/gitward/pkg/helm"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/resmap"
)

// Options tune a render.
type Options struct {
	// AllowRemote lets kustomize fetch remote bases and resources, which
	// means running `git` and making HTTP requests. Off by default: such
	// references are refused with ErrRemoteBase.
	AllowRemote bool
	// Origins fills Result.Origins. kustomize then tracks origins during
	// the build, which costs about 10-15% more CPU and 75% more
	// allocations on large trees (docs/benchmarks.md); the YAML output is
	// the same either way.
	Origins bool
	// SkipYAML leaves out kustomize's YAML encoding of the output, about a
	// third of a large render's CPU, for callers that only use Objects (the
	// agent, the webhook's cache). Result.YAML then marshals Objects, which
	// is valid YAML of the same objects but not byte-identical to
	// `kubectl kustomize`.
	SkipYAML bool
	// Charts fetches the charts of helmCharts entries that name a repo and
	// are not in chartHome; nil refuses them with ErrRemoteChart.
	Charts ChartSource
}

// Result is the output of a render.
type Result struct {
	// Objects are the rendered objects, in kustomize's output order.
	Objects []*unstructured.Unstructured
	// Origins[i] says where Objects[i] was declared. It is nil unless
	// Options.Origins is set or the kustomization itself asks for
	// originAnnotations in buildMetadata, and when the kustomization file
	// could not be parsed for tracking.
	Origins []Origin

	yaml []byte
}

// YAML returns the rendered objects as kustomize prints them; for a
// rendered Result it is byte-identical to `kubectl kustomize` and does not
// reflect later changes to Objects. For a Result built by hand, or rendered
// with Options.SkipYAML, it marshals Objects.
func (r *Result) YAML() ([]byte, error) {
	if r.yaml != nil {
		return bytes.Clone(r.yaml), nil
	}
	return marshalObjects(r.Objects)
}

// treePrefix is where kustomize sees the root of an fs.FS. It only shows
// in kustomize's own error messages, which are rewritten relative to the
// root before they are returned.
const treePrefix = "/gitward-tree"

// Dir renders the kustomization in folder p on disk. root is the
// repository boundary: nothing outside it is read, whether through
// symlinks or `../` references. A relative p is taken relative to root;
// an absolute p must lie inside root.
func Dir(ctx context.Context, root, p string, o Options) (*Result, error) {
	osRoot, rel, resolved, err := OpenRoot(root, p)
	if err != nil {
		return nil, err
	}
	defer osRoot.Close()
	return run(ctx, osRoot.FS(), rel, o, resolved, filepath.ToSlash(resolved))
}

// OpenRoot opens root, the repository boundary, as Dir reads it, and
// returns p relative to it (a relative p is taken relative to root; an
// absolute p must lie inside it) and root's symlink-free path. The caller
// closes the os.Root.
func OpenRoot(root, p string) (*os.Root, string, string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, "", "", fmt.Errorf("render: root %q: %w", root, err)
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, "", "", fmt.Errorf("render: root %q: %w", root, err)
	}
	rel := p
	if filepath.IsAbs(p) {
		if rel, err = relInside(p, abs, resolved); err != nil {
			return nil, "", "", err
		}
	}
	osRoot, err := os.OpenRoot(resolved)
	if err != nil {
		return nil, "", "", fmt.Errorf("render: root %q: %w", root, err)
	}
	return osRoot, rel, resolved, nil
}

// relInside makes the absolute path p relative to the root, which is known
// by its absolute path and its symlink-free form.
func relInside(p, abs, real string) (string, error) {
	for _, base := range []string{abs, real} {
		rel, err := filepath.Rel(base, filepath.Clean(p))
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return rel, nil
		}
	}
	return "", fmt.Errorf("render %q: outside the root %q: %w", p, abs, ErrEscapesRoot)
}

// FS renders the kustomization in folder p (a slash path) of fsys, such as
// a Git tree. Symlinks are followed only when fsys implements
// fs.ReadLinkFS, and only inside fsys.
func FS(ctx context.Context, fsys fs.FS, p string, o Options) (*Result, error) {
	return run(ctx, fsys, p, o, treePrefix, "")
}

// run renders p in fsys, which kustomize sees at prefix; absPrefix is the
// slash form of the root on disk, if any.
func run(ctx context.Context, fsys fs.FS, p string, o Options, prefix, absPrefix string) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := newResolver(fsys, absPrefix)
	kdir, err := rootDir(res, p)
	if err != nil {
		if r, ok, cerr := chartEnvironment(ctx, fsys, p, o); ok {
			return r, cerr
		}
		return nil, err
	}
	s := &scanner{res: res, allowRemote: o.AllowRemote, visited: map[string]bool{}, parsed: map[string]parsedKust{}}
	if err := s.kustomization(kdir, false); err != nil {
		return nil, fmt.Errorf("render %q: %w", p, err)
	}
	t := &treeFS{ctx: ctx, res: res, prefix: prefix, overrides: map[string][]byte{}}
	if o.AllowRemote {
		t.cloneDirs, t.disk = kustomizeCloneDirs(), onDisk()
	}
	track, keep := s.trackOrigins(kdir, o.Origins, t.overrides)
	unlock := lockSchema(s.parsed[kdir].k)
	m, err := newKustomizer(helmTemplate(ctx, t, o.Charts, helm.Limits{})).Run(t, t.abs(kdir))
	unlock()
	if t.violation != nil {
		return nil, fmt.Errorf("render %q: %w", p, t.violation)
	}
	if err != nil {
		return nil, relabel(fmt.Errorf("render %q: %w", p, err), absPrefix == "")
	}
	return newResult(m, kdir, track, keep, !o.SkipYAML)
}

// rootDir resolves the folder to render and checks it has a kustomization.
func rootDir(res *resolver, p string) (string, error) {
	rel := path.Clean(filepath.ToSlash(p))
	if path.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("render %q: %w", p, ErrEscapesRoot)
	}
	kdir, info, err := res.resolve(rel)
	if err != nil {
		return "", fmt.Errorf("render %q: %w", p, err)
	}
	if !info.IsDir() {
		return "", fmt.Errorf("render %q: not a folder; name the folder holding kustomization.yaml", p)
	}
	_, n, err := (&scanner{res: res}).kustFile(kdir)
	if err != nil {
		return "", fmt.Errorf("render %q: %w", p, err)
	}
	if n == 0 {
		names := konfig.RecognizedKustomizationFileNames()
		return "", fmt.Errorf("render %q: no %s, %s or %s in the folder; kubectl kustomize does not render a "+
			"plain folder of YAML, add a kustomization.yaml listing the files under resources: %w",
			p, names[0], names[1], names[2], ErrNoKustomization)
	}
	return kdir, nil
}

// relabel rewrites the internal tree prefix in kustomize's messages to
// paths relative to the root.
func relabel(err error, virtual bool) error {
	if !virtual {
		return err
	}
	msg := strings.ReplaceAll(err.Error(), treePrefix+"/", "")
	msg = strings.ReplaceAll(msg, treePrefix, ".")
	return &displayError{msg: msg, err: err}
}

// newResult collects the objects, their origins and (withYAML) the YAML
// from m.
func newResult(m resmap.ResMap, kdir string, track, keep, withYAML bool) (*Result, error) {
	resources := m.Resources()
	r := &Result{Objects: make([]*unstructured.Unstructured, len(resources))}
	if track {
		r.Origins = make([]Origin, len(resources))
		for i, res := range resources {
			o, err := originOf(res, kdir)
			if err != nil {
				return nil, fmt.Errorf("render: origin of %s: %w", res.CurId(), err)
			}
			r.Origins[i] = o
		}
		if !keep {
			if err := m.RemoveOriginAnnotations(); err != nil {
				return nil, fmt.Errorf("render: %w", err)
			}
		}
	}
	if withYAML {
		y, err := m.AsYaml()
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		r.yaml = y
	}
	for i, res := range resources {
		u, err := toUnstructured(res)
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		r.Objects[i] = u
	}
	return r, nil
}
