package expand

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gitward/gitward/pkg/render"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/kyaml/resid"
)

// kind is what the expander knows an object as.
type kind int

const (
	other kind = iota
	fluxKustomization
	helmRelease
	argoApplication
)

func kindOf(u *unstructured.Unstructured) kind {
	group, _, _ := strings.Cut(u.GetAPIVersion(), "/")
	switch {
	case group == "kustomize.toolkit.fluxcd.io" && u.GetKind() == "Kustomization":
		return fluxKustomization
	case group == "helm.toolkit.fluxcd.io" && u.GetKind() == "HelmRelease":
		return helmRelease
	case group == "argoproj.io" && u.GetKind() == "Application":
		return argoApplication
	}
	return other
}

// index holds the objects an expansion may refer to (Flux sources,
// ConfigMaps and Secrets for valuesFrom), from every level rendered so far.
type index struct {
	objs map[string]*unstructured.Unstructured // kind/namespace/name
}

func newIndex() *index { return &index{objs: map[string]*unstructured.Unstructured{}} }

func (ix *index) add(objs []*unstructured.Unstructured) {
	for _, u := range objs {
		ix.objs[u.GetKind()+"/"+u.GetNamespace()+"/"+u.GetName()] = u
	}
}

func (ix *index) get(kind, namespace, name string) *unstructured.Unstructured {
	return ix.objs[kind+"/"+namespace+"/"+name]
}

// walk is one expansion of a rendering.
type walk struct {
	x        *Expander
	fsys     *overlayFS
	opts     render.Options
	out      *Result
	index    *index
	visiting map[string]bool
}

// expansion is what one object expands to.
type expansion struct {
	objs    []*unstructured.Unstructured
	origins []render.Origin
}

// level expands the objects of one rendering. Flux Kustomizations are
// expanded after the other objects, in spec.dependsOn order.
func (w *walk) level(ctx context.Context, objs []*unstructured.Unstructured, origins []render.Origin, depth int) ([]*unstructured.Unstructured, []render.Origin, error) {
	if depth > w.maxDepth() {
		return nil, nil, fmt.Errorf("expansions nest deeper than %d levels", w.maxDepth())
	}
	w.index.add(objs)
	var (
		outObjs    []*unstructured.Unstructured
		outOrigins []render.Origin
		kusts      []*unstructured.Unstructured
		kustOrigin []render.Origin
	)
	originAt := func(i int) render.Origin {
		if i < len(origins) {
			return origins[i]
		}
		return render.Origin{}
	}
	emit := func(e *expansion) {
		outObjs = append(outObjs, e.objs...)
		for i := range e.objs {
			if i < len(e.origins) {
				outOrigins = append(outOrigins, e.origins[i])
			} else {
				outOrigins = append(outOrigins, render.Origin{})
			}
		}
	}
	for i, u := range objs {
		var (
			e   *expansion
			err error
		)
		switch kindOf(u) {
		case fluxKustomization:
			kusts, kustOrigin = append(kusts, u), append(kustOrigin, originAt(i))
			continue
		case helmRelease:
			e, err = w.helmRelease(ctx, u, originAt(i))
		case argoApplication:
			e, err = w.application(ctx, u, originAt(i), depth)
		default:
			emit(&expansion{objs: []*unstructured.Unstructured{u}, origins: []render.Origin{originAt(i)}})
			continue
		}
		if err != nil {
			if reason, ok := keptReason(err); ok {
				w.out.Notes = append(w.out.Notes, Note{Object: describe(u), Reason: reason})
				emit(&expansion{objs: []*unstructured.Unstructured{u}, origins: []render.Origin{originAt(i)}})
				continue
			}
			return nil, nil, fmt.Errorf("expand %s: %w", describe(u), err)
		}
		w.out.Expanded = append(w.out.Expanded, describe(u))
		emit(e)
	}
	order, err := dependsOnOrder(kusts)
	if err != nil {
		return nil, nil, err
	}
	for _, i := range order {
		u := kusts[i]
		e, err := w.kustomization(ctx, u, kustOrigin[i], depth)
		if err != nil {
			if reason, ok := keptReason(err); ok {
				w.out.Notes = append(w.out.Notes, Note{Object: describe(u), Reason: reason})
				emit(&expansion{objs: []*unstructured.Unstructured{u}, origins: []render.Origin{kustOrigin[i]}})
				continue
			}
			return nil, nil, fmt.Errorf("expand %s: %w", describe(u), err)
		}
		w.out.Expanded = append(w.out.Expanded, describe(u))
		emit(e)
	}
	return outObjs, outOrigins, nil
}

func (w *walk) maxDepth() int {
	if w.x.MaxDepth > 0 {
		return w.x.MaxDepth
	}
	return DefaultMaxDepth
}

// nested renders folder dir of the tree (generating Flux's kustomization
// when it has none and generate is set) and expands what it holds. key
// names the expansion for cycle detection.
func (w *walk) nested(ctx context.Context, key, dir string, depth int) (*expansion, error) {
	if w.visiting[key] {
		return nil, fmt.Errorf("%s is reached again while it expands: %w", key, ErrCycle)
	}
	w.visiting[key] = true
	defer delete(w.visiting, key)
	res, err := render.FS(ctx, w.fsys, dir, w.opts)
	if err != nil {
		return nil, err
	}
	objs, origins, err := w.level(ctx, res.Objects, res.Origins, depth+1)
	if err != nil {
		return nil, err
	}
	return &expansion{objs: objs, origins: origins}, nil
}

// kept is an error meaning "leave this object to its controller".
type kept struct{ reason string }

func (k *kept) Error() string { return k.reason }

func keepf(format string, args ...any) error { return &kept{reason: fmt.Sprintf(format, args...)} }

func keptReason(err error) (string, bool) {
	var k *kept
	if errors.As(err, &k) {
		return k.reason, true
	}
	return "", false
}

// setNamespace puts namespaced objects without a namespace in ns, as Helm's
// client and Argo CD do when they apply.
func setNamespace(objs []*unstructured.Unstructured, ns string) {
	if ns == "" {
		return
	}
	for _, u := range objs {
		if u.GetNamespace() != "" {
			continue
		}
		gvk := u.GroupVersionKind()
		if (resid.Gvk{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}).IsClusterScoped() {
			continue
		}
		u.SetNamespace(ns)
	}
}

// dependsOnOrder orders Flux Kustomizations so that each comes after the
// ones its spec.dependsOn names (those of this level; others are ignored),
// keeping the rendering's order otherwise. A cycle is an error.
func dependsOnOrder(kusts []*unstructured.Unstructured) ([]int, error) {
	pos := map[string]int{}
	for i, u := range kusts {
		pos[u.GetNamespace()+"/"+u.GetName()] = i
	}
	state := make([]int, len(kusts)) // 0 new, 1 visiting, 2 done
	var order []int
	var visit func(i int, chain []string) error
	visit = func(i int, chain []string) error {
		switch state[i] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("Flux Kustomizations depend on each other in a cycle: %s: %w", strings.Join(append(chain, kusts[i].GetName()), " → "), ErrCycle)
		}
		state[i] = 1
		deps, _, _ := unstructured.NestedSlice(kusts[i].Object, "spec", "dependsOn")
		for _, d := range deps {
			m, _ := d.(map[string]any)
			name, _ := m["name"].(string)
			ns, _ := m["namespace"].(string)
			if ns == "" {
				ns = kusts[i].GetNamespace()
			}
			if j, ok := pos[ns+"/"+name]; ok {
				if err := visit(j, append(slices.Clone(chain), kusts[i].GetName())); err != nil {
					return err
				}
			}
		}
		state[i] = 2
		order = append(order, i)
		return nil
	}
	for i := range kusts {
		if err := visit(i, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}
