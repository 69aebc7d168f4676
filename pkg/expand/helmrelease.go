package expand

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/gitward/gitward/pkg/chartfetch"
	"github.com/gitward/gitward/pkg/render"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// helmRelease expands a Flux HelmRelease to its chart's objects.
func (w *walk) helmRelease(ctx context.Context, u *unstructured.Unstructured, _ render.Origin) (*expansion, error) {
	if suspended, _, _ := unstructured.NestedBool(u.Object, "spec", "suspend"); suspended {
		return nil, keepf("suspended (spec.suspend: true); kept for Flux")
	}
	if _, ok, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "postRenderers"); ok {
		return nil, keepf("spec.postRenderers are not applied by gitward; kept for Flux")
	}
	src, err := w.helmReleaseChart(u)
	if err != nil {
		return nil, err
	}
	ns := u.GetNamespace()
	targetNS, _, _ := unstructured.NestedString(u.Object, "spec", "targetNamespace")
	if targetNS != "" {
		ns = targetNS
	}
	name, _, _ := unstructured.NestedString(u.Object, "spec", "releaseName")
	if name == "" {
		name = u.GetName()
		if targetNS != "" {
			name = targetNS + "-" + name
		}
	}
	values, err := w.valuesFrom(u)
	if err != nil {
		return nil, err
	}
	if v, ok, _ := unstructured.NestedMap(u.Object, "spec", "values"); ok {
		values = append(values, v)
	}
	rel := release{name: name, namespace: ns, values: values}
	if files, ok, _ := unstructured.NestedStringSlice(u.Object, "spec", "chart", "spec", "valuesFiles"); ok {
		rel.valuesFiles = files
	}
	return w.renderChart(ctx, src, rel)
}

// helmReleaseChart finds the chart a HelmRelease names.
func (w *walk) helmReleaseChart(u *unstructured.Unstructured) (chartSource, error) {
	if kind, ok, _ := unstructured.NestedString(u.Object, "spec", "chartRef", "kind"); ok {
		name, _, _ := unstructured.NestedString(u.Object, "spec", "chartRef", "name")
		ns, _, _ := unstructured.NestedString(u.Object, "spec", "chartRef", "namespace")
		if ns == "" {
			ns = u.GetNamespace()
		}
		if kind != "OCIRepository" {
			return chartSource{}, keepf("spec.chartRef %s %s/%s is not read by gitward; kept for Flux", kind, ns, name)
		}
		repo := w.index.get("OCIRepository", ns, name)
		if repo == nil {
			return chartSource{}, keepf("spec.chartRef: OCIRepository %s/%s is not in this rendering (add it to the kustomization to expand the release); kept for Flux", ns, name)
		}
		url, _, _ := unstructured.NestedString(repo.Object, "spec", "url")
		version := "latest" // Flux's default tag
		for _, f := range []string{"tag", "semver", "digest"} {
			if v, ok, _ := unstructured.NestedString(repo.Object, "spec", "ref", f); ok && v != "" {
				version = v
			}
		}
		return chartSource{remote: &chartfetch.Ref{Repo: url, Version: version}, label: "OCIRepository " + ns + "/" + name}, nil
	}
	spec, ok, _ := unstructured.NestedMap(u.Object, "spec", "chart", "spec")
	if !ok {
		return chartSource{}, fmt.Errorf("neither spec.chart.spec nor spec.chartRef is set")
	}
	chart := str(spec["chart"])
	version := str(spec["version"])
	ref, _ := spec["sourceRef"].(map[string]any)
	kind, name, ns := str(ref["kind"]), str(ref["name"]), str(ref["namespace"])
	if ns == "" {
		ns = u.GetNamespace()
	}
	switch kind {
	case "HelmRepository":
		repo := w.index.get("HelmRepository", ns, name)
		if repo == nil {
			return chartSource{}, keepf("spec.chart.spec.sourceRef: HelmRepository %s/%s is not in this rendering (add it to the kustomization to expand the release); kept for Flux", ns, name)
		}
		url, _, _ := unstructured.NestedString(repo.Object, "spec", "url")
		typ, _, _ := unstructured.NestedString(repo.Object, "spec", "type")
		if typ == "oci" && !strings.HasPrefix(url, "oci://") {
			url = "oci://" + strings.TrimPrefix(url, "https://")
		}
		return chartSource{remote: &chartfetch.Ref{Repo: url, Chart: chart, Version: version}, label: "HelmRepository " + ns + "/" + name}, nil
	case "GitRepository":
		root, err := w.sourceRoot(kind, ns, name)
		if err != nil {
			return chartSource{}, err
		}
		return chartSource{dir: cleanPath(root + "/" + cleanPath(chart)), label: "GitRepository " + ns + "/" + name}, nil
	}
	return chartSource{}, keepf("spec.chart.spec.sourceRef %s %s/%s is not read by gitward; kept for Flux", kind, ns, name)
}

// valuesFrom reads spec.valuesFrom from ConfigMaps and Secrets of the
// rendering, in order.
func (w *walk) valuesFrom(u *unstructured.Unstructured) ([]map[string]any, error) {
	refs, _, _ := unstructured.NestedSlice(u.Object, "spec", "valuesFrom")
	var out []map[string]any
	for i, r := range refs {
		m, _ := r.(map[string]any)
		kind, name, key := str(m["kind"]), str(m["name"]), str(m["valuesKey"])
		optional, _ := m["optional"].(bool)
		if key == "" {
			key = "values.yaml"
		}
		field := fmt.Sprintf("spec.valuesFrom[%d]", i)
		if kind != "ConfigMap" && kind != "Secret" {
			return nil, fmt.Errorf("%s: kind %q; want ConfigMap or Secret", field, kind)
		}
		obj := w.index.get(kind, u.GetNamespace(), name)
		if obj == nil {
			if optional {
				continue
			}
			return nil, keepf("%s: %s %s/%s is not in this rendering (gitward reads values from Git only: declare it there, or mark it optional, to expand the release); kept for Flux", field, kind, u.GetNamespace(), name)
		}
		text, found, err := dataKey(obj, key)
		if err != nil {
			return nil, fmt.Errorf("%s: %s %s: %w", field, kind, name, err)
		}
		if !found {
			if optional {
				continue
			}
			return nil, fmt.Errorf("%s: %s %s/%s has no key %q", field, kind, u.GetNamespace(), name, key)
		}
		if tp := str(m["targetPath"]); tp != "" {
			out = append(out, atPath(strings.Split(tp, "."), strings.TrimSpace(text)))
			continue
		}
		var vals map[string]any
		if err := yaml.Unmarshal([]byte(text), &vals); err != nil {
			return nil, fmt.Errorf("%s: %s %s key %s is not a YAML mapping: %w", field, kind, name, key, err)
		}
		out = append(out, vals)
	}
	return out, nil
}

// dataKey reads key of a ConfigMap (data) or Secret (stringData, or data
// base64-decoded).
func dataKey(obj *unstructured.Unstructured, key string) (string, bool, error) {
	if s, ok, _ := unstructured.NestedString(obj.Object, "stringData", key); ok {
		return s, true, nil
	}
	s, ok, _ := unstructured.NestedString(obj.Object, "data", key)
	if !ok || obj.GetKind() != "Secret" {
		return s, ok, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", false, fmt.Errorf("data.%s is not base64: %w", key, err)
	}
	return string(b), true, nil
}

// atPath nests v under the dotted path.
func atPath(keys []string, v any) map[string]any {
	m := map[string]any{keys[len(keys)-1]: v}
	for i := len(keys) - 2; i >= 0; i-- {
		m = map[string]any{keys[i]: m}
	}
	return m
}
