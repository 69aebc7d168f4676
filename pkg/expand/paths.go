package expand

import (
	"context"
	"io/fs"

	"github.com/gitward/gitward/pkg/render"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// FluxPaths renders folder dir of fsys (kustomize only, Flux's generated
// kustomization where it has none) and maps each Flux Kustomization of
// this repository found there ("namespace/name") to the folder it deploys.
// Promotion pairs environments' folders through it. Errors yield an empty
// map: the caller then pairs nothing.
func FluxPaths(ctx context.Context, fsys fs.FS, dir string) map[string]string {
	out := map[string]string{}
	ov := newOverlay(fsys)
	d := cleanPath(dir)
	if !hasKustomization(ov, d) {
		if err := generateKustomization(ov, d, true); err != nil {
			return out
		}
	}
	res, err := render.FS(ctx, ov, d, render.Options{SkipYAML: true})
	if err != nil {
		return out
	}
	w := &walk{x: &Expander{}, fsys: ov, out: &Result{Destinations: map[string]string{}}, index: newIndex()}
	w.index.add(res.Objects)
	for _, u := range res.Objects {
		if kindOf(u) != fluxKustomization {
			continue
		}
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "kind")
		name, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "name")
		ns, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "namespace")
		if ns == "" {
			ns = u.GetNamespace()
		}
		root, err := w.sourceRoot(kind, ns, name)
		if err != nil {
			continue
		}
		p, _, _ := unstructured.NestedString(u.Object, "spec", "path")
		out[u.GetNamespace()+"/"+u.GetName()] = cleanPath(root + "/" + cleanPath(p))
	}
	return out
}
