package expand

import (
	"context"
	"path"
	"strings"

	"github.com/gitward/gitward/pkg/render"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// bootstrapSource is the GitRepository `flux bootstrap` creates for the
// repository it bootstraps from: this repository.
const bootstrapSource = "flux-system"

// overlayRoot is where the overlays carrying a Flux Kustomization's
// targetNamespace, patches and images are laid over the tree.
const overlayRoot = ".gitward/flux"

// kustomization expands a Flux Kustomization of this repository.
func (w *walk) kustomization(ctx context.Context, u *unstructured.Unstructured, _ render.Origin, depth int) (*expansion, error) {
	if suspended, _, _ := unstructured.NestedBool(u.Object, "spec", "suspend"); suspended {
		return nil, keepf("suspended (spec.suspend: true); kept for Flux")
	}
	kind, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "kind")
	name, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "name")
	ns, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "namespace")
	if ns == "" {
		ns = u.GetNamespace()
	}
	root, err := w.sourceRoot(kind, ns, name)
	if err != nil {
		return nil, err
	}
	p, _, _ := unstructured.NestedString(u.Object, "spec", "path")
	dir := cleanPath(path.Join(root, cleanPath(p)))
	if dir == ".." || strings.HasPrefix(dir, "../") {
		return nil, keepf("spec.path %q leaves the source", p)
	}
	if _, ok, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "postBuild"); ok {
		return nil, keepf("spec.postBuild substitutions are not applied by gitward; kept for Flux")
	}
	if !hasKustomization(w.fsys, dir) {
		if err := generateKustomization(w.fsys, dir, true); err != nil {
			return nil, err
		}
	}
	target := dir
	overlay := map[string]any{}
	if tns, _, _ := unstructured.NestedString(u.Object, "spec", "targetNamespace"); tns != "" {
		overlay["namespace"] = tns
	}
	for _, f := range []string{"patches", "images", "namePrefix", "nameSuffix", "commonMetadata", "components"} {
		if v, ok, _ := unstructured.NestedFieldCopy(u.Object, "spec", f); ok {
			if f == "commonMetadata" {
				overlay["labels"] = commonLabels(v)
				continue
			}
			overlay[f] = v
		}
	}
	if len(overlay) > 0 {
		target = path.Join(overlayRoot, u.GetNamespace(), u.GetName())
		overlay["apiVersion"] = "kustomize.config.k8s.io/v1beta1"
		overlay["kind"] = "Kustomization"
		overlay["resources"] = []any{relTo(target, dir)}
		if comps, ok := overlay["components"].([]any); ok {
			for i, c := range comps {
				s, _ := c.(string)
				comps[i] = relTo(target, cleanPath(path.Join(dir, s)))
			}
		}
		b, err := yaml.Marshal(overlay)
		if err != nil {
			return nil, err
		}
		w.fsys.Set(path.Join(target, "kustomization.yaml"), b)
	}
	return w.nested(ctx, "Kustomization "+u.GetNamespace()+"/"+u.GetName(), target, depth)
}

// commonLabels turns Flux's commonMetadata into kustomize labels.
func commonLabels(v any) []any {
	m, _ := v.(map[string]any)
	labels, _ := m["labels"].(map[string]any)
	if len(labels) == 0 {
		return nil
	}
	return []any{map[string]any{"pairs": labels}}
}

// relTo is the relative path from folder from to folder to (both clean
// slash paths from the root).
func relTo(from, to string) string {
	up := strings.Repeat("../", strings.Count(from, "/")+1)
	if to == "." {
		return strings.TrimSuffix(up, "/")
	}
	return up + to
}

// sourceRoot is the folder of this tree a Flux source reference stands
// for, or a kept error when it is another repository.
func (w *walk) sourceRoot(kind, ns, name string) (string, error) {
	switch kind {
	case "GitRepository":
		if name == bootstrapSource {
			return ".", nil
		}
		g := w.index.get("GitRepository", ns, name)
		if g == nil {
			return "", keepf("source GitRepository %s/%s is not in the repository; kept for Flux", ns, name)
		}
		url, _, _ := unstructured.NestedString(g.Object, "spec", "url")
		branch, _, _ := unstructured.NestedString(g.Object, "spec", "ref", "branch")
		if !w.x.isSelf(url) {
			return "", keepf("source GitRepository %s/%s is another repository (%s); kept for Flux", ns, name, url)
		}
		if branch != "" && w.x.Branch != "" && branch != w.x.Branch {
			return "", keepf("source GitRepository %s/%s is branch %s of this repository, not %s; kept for Flux", ns, name, branch, w.x.Branch)
		}
		return ".", nil
	case "ExternalArtifact":
		return w.artifactRoot(ns, name)
	case "":
		return "", keepf("no spec.sourceRef")
	}
	return "", keepf("source %s %s/%s is not read by gitward; kept for Flux", kind, ns, name)
}

// artifactRoot maps an ExternalArtifact that an ArtifactGenerator makes
// from this repository back to a folder: the artifact's root when its copy
// rules move one folder ("@repo/apps/**" to "@artifact/"), else the common
// root of the rules' destinations ("@repo/apps/base/**" to
// "@artifact/base/" and "@repo/apps/staging/**" to "@artifact/staging/":
// apps/).
func (w *walk) artifactRoot(ns, name string) (string, error) {
	for _, g := range w.index.objs {
		if g.GetKind() != "ArtifactGenerator" || g.GetNamespace() != ns {
			continue
		}
		aliases := map[string]bool{}
		srcs, _, _ := unstructured.NestedSlice(g.Object, "spec", "sources")
		for _, s := range srcs {
			m, _ := s.(map[string]any)
			if m["kind"] == "GitRepository" {
				if _, err := w.sourceRoot("GitRepository", ns, str(m["name"])); err == nil {
					aliases[str(m["alias"])] = true
				}
			}
		}
		arts, _, _ := unstructured.NestedSlice(g.Object, "spec", "artifacts")
		for _, a := range arts {
			m, _ := a.(map[string]any)
			if str(m["name"]) != name {
				continue
			}
			copies, _ := m["copy"].([]any)
			root := ""
			for _, c := range copies {
				cm, _ := c.(map[string]any)
				alias, from, ok := strings.Cut(strings.TrimPrefix(str(cm["from"]), "@"), "/")
				if !ok || !aliases[alias] || !strings.HasSuffix(from, "/**") {
					return "", keepf("source ExternalArtifact %s/%s copies %q, which gitward does not map back to a folder; kept for Flux", ns, name, str(cm["from"]))
				}
				from = strings.TrimSuffix(from, "/**")
				to := strings.Trim(strings.TrimPrefix(str(cm["to"]), "@artifact"), "/")
				base := from
				if to != "" {
					b, ok := strings.CutSuffix(from, "/"+to)
					if !ok {
						return "", keepf("source ExternalArtifact %s/%s moves %s to %s, which gitward does not map back to a folder; kept for Flux", ns, name, from, to)
					}
					base = b
				}
				if root != "" && root != base {
					return "", keepf("source ExternalArtifact %s/%s is assembled from folders that do not share a root; kept for Flux", ns, name)
				}
				root = base
			}
			if root != "" {
				return root, nil
			}
		}
	}
	return "", keepf("source ExternalArtifact %s/%s is made by no ArtifactGenerator of this repository; kept for Flux", ns, name)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// isSelf reports whether a Git URL names this repository.
func (x *Expander) isSelf(url string) bool {
	n := normalizeURL(url)
	if n == "" {
		return false
	}
	for _, u := range x.RepoURLs {
		if normalizeURL(u) == n {
			return true
		}
	}
	return false
}

// normalizeURL reduces a Git URL to host/path: no scheme, user, ".git" or
// trailing slash; scp-like git@host:path reads as host/path.
func normalizeURL(u string) string {
	u = strings.TrimSpace(u)
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	} else if at := strings.Index(u, "@"); at >= 0 && strings.Contains(u[at:], ":") {
		u = strings.Replace(u[at+1:], ":", "/", 1)
	}
	if at := strings.Index(u, "@"); at >= 0 && at < strings.Index(u+"/", "/") {
		u = u[at+1:]
	}
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	return strings.ToLower(u)
}
