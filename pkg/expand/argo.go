package expand

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/gitward/gitward/pkg/chartfetch"
	"github.com/gitward/gitward/pkg/render"
	"helm.sh/helm/v3/pkg/strvals"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// application expands an Argo CD Application whose source is this
// repository or a chart repository.
func (w *walk) application(ctx context.Context, u *unstructured.Unstructured, _ render.Origin, depth int) (*expansion, error) {
	var sources []map[string]any
	if s, ok, _ := unstructured.NestedMap(u.Object, "spec", "source"); ok {
		sources = append(sources, s)
	}
	if ss, ok, _ := unstructured.NestedSlice(u.Object, "spec", "sources"); ok {
		for _, s := range ss {
			if m, ok := s.(map[string]any); ok {
				sources = append(sources, m)
			}
		}
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("neither spec.source nor spec.sources is set")
	}
	ns, _, _ := unstructured.NestedString(u.Object, "spec", "destination", "namespace")
	refs := map[string]string{} // "$name" → folder of this tree
	for _, s := range sources {
		if r := str(s["ref"]); r != "" && w.x.isSelf(str(s["repoURL"])) {
			refs["$"+r] = "."
		}
	}
	out := &expansion{}
	for i, s := range sources {
		if str(s["ref"]) != "" && str(s["path"]) == "" && str(s["chart"]) == "" {
			continue // a values-only source, read through refs
		}
		e, err := w.appSource(ctx, u, s, ns, refs, depth)
		if err != nil {
			if len(sources) > 1 {
				return nil, fmt.Errorf("spec.sources[%d]: %w", i, err)
			}
			return nil, err
		}
		out.objs = append(out.objs, e.objs...)
		out.origins = append(out.origins, e.origins...)
	}
	setNamespace(out.objs, ns)
	return out, nil
}

// appSource expands one source of an Application.
func (w *walk) appSource(ctx context.Context, u *unstructured.Unstructured, s map[string]any, ns string, refs map[string]string, depth int) (*expansion, error) {
	repoURL, rev := str(s["repoURL"]), str(s["targetRevision"])
	helmSpec, _ := s["helm"].(map[string]any)
	rel := release{name: u.GetName(), namespace: ns}
	if n := str(helmSpec["releaseName"]); n != "" {
		rel.name = n
	}
	if chart := str(s["chart"]); chart != "" {
		repo := repoURL
		if !strings.Contains(repo, "://") {
			repo = "oci://" + repo // Argo CD names OCI Helm repositories without a scheme
		}
		vals, err := appValues(helmSpec)
		if err != nil {
			return nil, err
		}
		rel.values = vals
		rel.valuesFiles = stringsOf(helmSpec["valueFiles"])
		return w.renderChart(ctx, chartSource{remote: &chartfetch.Ref{Repo: repo, Chart: chart, Version: rev}, label: "Application " + u.GetName()}, rel)
	}
	if !w.x.isSelf(repoURL) {
		return nil, keepf("source %s is another repository; kept for Argo CD", repoURL)
	}
	if rev != "" && rev != "HEAD" && w.x.Branch != "" && rev != w.x.Branch {
		return nil, keepf("source targetRevision %s is not the branch being rendered (%s); kept for Argo CD", rev, w.x.Branch)
	}
	dir := cleanPath(str(s["path"]))
	if dir == ".." || strings.HasPrefix(dir, "../") {
		return nil, keepf("source path %q leaves the repository", str(s["path"]))
	}
	w.out.Destinations[dir] = ns
	for _, tool := range []string{"plugin", "directory"} {
		if _, ok := s[tool]; ok && tool == "plugin" {
			return nil, keepf("source uses a config management plugin; kept for Argo CD")
		}
	}
	if isChartDir(w.fsys, dir) {
		vals, err := appValues(helmSpec)
		if err != nil {
			return nil, err
		}
		rel.values = vals
		for _, f := range stringsOf(helmSpec["valueFiles"]) {
			if ref, rest, ok := strings.Cut(f, "/"); ok && strings.HasPrefix(ref, "$") {
				root, known := refs[ref]
				if !known {
					return nil, keepf("helm.valueFiles %s names a source that is not this repository; kept for Argo CD", f)
				}
				rel.valuesFiles = append(rel.valuesFiles, cleanPath(path.Join(root, rest)))
				continue
			}
			rel.valuesFiles = append(rel.valuesFiles, cleanPath(path.Join(dir, f)))
		}
		return w.renderChart(ctx, chartSource{dir: dir, label: "Application " + u.GetName()}, rel)
	}
	if !hasKustomization(w.fsys, dir) {
		recurse, _, _ := unstructured.NestedBool(s, "directory", "recurse")
		if err := generateKustomization(w.fsys, dir, recurse); err != nil {
			return nil, err
		}
	}
	return w.nested(ctx, "Application "+u.GetNamespace()+"/"+u.GetName(), dir, depth)
}

// appValues collects an Application's helm values in Argo CD's order of
// precedence: values (a YAML string) or valuesObject, then parameters.
func appValues(h map[string]any) ([]map[string]any, error) {
	var out []map[string]any
	if v := str(h["values"]); v != "" {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(v), &m); err != nil {
			return nil, fmt.Errorf("helm.values is not a YAML mapping: %w", err)
		}
		out = append(out, m)
	}
	if m, ok := h["valuesObject"].(map[string]any); ok {
		out = append(out, m)
	}
	params, _ := h["parameters"].([]any)
	if len(params) > 0 {
		set := map[string]any{}
		for i, p := range params {
			m, _ := p.(map[string]any)
			expr := str(m["name"]) + "=" + fmt.Sprint(m["value"])
			var err error
			if force, _ := m["forceString"].(bool); force {
				err = strvals.ParseIntoString(expr, set)
			} else {
				err = strvals.ParseInto(expr, set)
			}
			if err != nil {
				return nil, fmt.Errorf("helm.parameters[%d] %s: %w", i, str(m["name"]), err)
			}
		}
		out = append(out, set)
	}
	return out, nil
}

func stringsOf(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
