package promote

import (
	"context"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/render"
)

// SealedSecret scope annotations (bitnami-labs/sealed-secrets).
const (
	annotationClusterWide   = "sealedsecrets.bitnami.com/cluster-wide"
	annotationNamespaceWide = "sealedsecrets.bitnami.com/namespace-wide"
)

// Reseal is a SealedSecret a promotion would copy into a namespace (or
// name) its encryption is not bound to: the controller there cannot open it.
type Reseal struct {
	// File is the target file that would carry it.
	File string `json:"file"`
	// Scope is "strict" or "namespace-wide".
	Scope string `json:"scope"`
	// Sealed is namespace/name it was sealed for (as rendered in the source).
	Sealed string `json:"sealedFor"`
	// Needed is namespace/name it renders to in the target.
	Needed string `json:"needed"`
}

func (r Reseal) String() string {
	ns, name, _ := strings.Cut(r.Needed, "/")
	return fmt.Sprintf("%s: SealedSecret %s was sealed for %s (%s scope); re-seal it for %s: kubectl gitops seal -n %s --name %s ...",
		r.File, name, r.Sealed, r.Scope, r.Needed, ns, name)
}

// sealedInFile lists the SealedSecret documents of a copied file: their
// encryptedData (what identifies them after kustomize renamed or moved
// them) and scope.
type sealedDoc struct {
	file      string
	scope     string
	encrypted map[string]any
}

// findReseals returns the SealedSecrets that copies would move into a
// namespace or name they were not sealed for. It renders the source
// environment only when a copied file holds a SealedSecret.
func findReseals(ctx context.Context, plan *Plan, src fs.FS, after []*unstructured.Unstructured) ([]Reseal, error) {
	var docs []sealedDoc
	for _, file := range plan.Paths() {
		content := plan.Changes[file]
		if content == nil || !isCopy(plan, file) {
			continue
		}
		f, err := parseYAMLFile(file, content)
		if err != nil {
			continue // not YAML: cannot hold one
		}
		for _, d := range f.docs {
			if d.GetKind() != "SealedSecret" {
				continue
			}
			u := &unstructured.Unstructured{}
			m, err := d.Map()
			if err != nil {
				continue
			}
			u.Object = m
			enc, _, _ := unstructured.NestedMap(u.Object, "spec", "encryptedData")
			if len(enc) == 0 {
				continue
			}
			docs = append(docs, sealedDoc{file: file, scope: sealedScope(u), encrypted: enc})
		}
	}
	if len(docs) == 0 {
		return nil, nil
	}
	from, err := render.FS(ctx, src, plan.From.Path, render.Options{SkipYAML: true})
	if err != nil {
		return nil, fmt.Errorf("render %s to see where its SealedSecrets were sealed for: %w", plan.From.Name, err)
	}
	var out []Reseal
	for _, d := range docs {
		s, t := findSealed(from.Objects, d.encrypted), findSealed(after, d.encrypted)
		if s == nil || t == nil || d.scope == "cluster-wide" {
			continue
		}
		sealed, needed := s.GetNamespace()+"/"+s.GetName(), t.GetNamespace()+"/"+t.GetName()
		if s.GetNamespace() != t.GetNamespace() || (d.scope == "strict" && s.GetName() != t.GetName()) {
			out = append(out, Reseal{File: d.file, Scope: d.scope, Sealed: sealed, Needed: needed})
		}
	}
	return out, nil
}

// isCopy reports whether file is a whole-file copy (promotion.files).
func isCopy(plan *Plan, file string) bool {
	return slices.ContainsFunc(plan.Moves, func(m Move) bool { return m.Kind == MoveFile && m.File == file })
}

// findSealed returns the rendered SealedSecret with this encryptedData.
func findSealed(objs []*unstructured.Unstructured, enc map[string]any) *unstructured.Unstructured {
	for _, u := range objs {
		if u.GetKind() != "SealedSecret" {
			continue
		}
		if e, _, _ := unstructured.NestedMap(u.Object, "spec", "encryptedData"); reflect.DeepEqual(e, enc) {
			return u
		}
	}
	return nil
}

// sealedScope reads the scope annotations of a SealedSecret (on the object
// or its template), as the controller does.
func sealedScope(u *unstructured.Unstructured) string {
	tmpl, _, _ := unstructured.NestedStringMap(u.Object, "spec", "template", "metadata", "annotations")
	is := func(key string) bool { return u.GetAnnotations()[key] == "true" || tmpl[key] == "true" }
	switch {
	case is(annotationClusterWide):
		return "cluster-wide"
	case is(annotationNamespaceWide):
		return "namespace-wide"
	}
	return "strict"
}

// dropFiles removes the reseal files from plan (they stay as they are in
// the target) and notes why.
func dropFiles(plan *Plan, reseals []Reseal) {
	for _, r := range reseals {
		if _, ok := plan.Changes[r.File]; !ok {
			continue
		}
		delete(plan.Changes, r.File)
		plan.Moves = slices.DeleteFunc(plan.Moves, func(m Move) bool { return m.Kind == MoveFile && m.File == r.File })
		plan.Notes = append(plan.Notes, "not promoted, must be re-sealed: "+r.String())
	}
}
