package expand

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/gitward/gitward/pkg/chartfetch"
	"github.com/gitward/gitward/pkg/helm"
	"github.com/gitward/gitward/pkg/render"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// ErrNoChartCache: a remote chart is named but the Expander has no Fetcher.
var ErrNoChartCache = errors.New("no chart cache configured")

// chartSource is where a chart is: a folder of the tree, or a repository.
type chartSource struct {
	dir    string
	remote *chartfetch.Ref
	label  string // the Flux or Argo CD source, for messages
}

// release is what a chart is rendered with.
type release struct {
	name, namespace string
	// valuesFiles are slash paths from the root (a chart of the tree) or
	// files of the chart (a remote chart), merged first, in order.
	valuesFiles []string
	// values are merged after valuesFiles, in order.
	values []map[string]any
}

// renderChart renders a chart as its controller installs it: manifests and
// CRDs, no hooks and no tests (gitward applies objects; it does not run
// Helm's hook life cycle), objects without a namespace in the release's.
func (w *walk) renderChart(ctx context.Context, src chartSource, rel release) (*expansion, error) {
	hr := helm.Release{Name: rel.name, Namespace: rel.namespace, IncludeCRDs: true, SkipHooks: true, SkipTests: true,
		KubeVersion: w.x.kubeVersion()}
	var (
		out    []byte
		err    error
		origin string
	)
	if src.remote != nil {
		origin = src.remote.String()
		out, err = w.renderRemote(ctx, src, rel, hr)
	} else {
		origin = src.dir
		hr.ValuesFiles = rel.valuesFiles
		hr.Values = rel.values
		out, err = helm.Render(ctx, helm.Chart{FS: w.fsys, Dir: src.dir}, hr, w.x.Limits)
	}
	if err != nil {
		return nil, err
	}
	objs, origins, err := parseManifests(out, src, origin)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", origin, err)
	}
	setNamespace(objs, rel.namespace)
	return &expansion{objs: objs, origins: origins}, nil
}

// renderRemote fetches a chart through the cache and renders it.
func (w *walk) renderRemote(ctx context.Context, src chartSource, rel release, hr helm.Release) ([]byte, error) {
	if w.x.Charts == nil {
		return nil, fmt.Errorf("chart %s (%s): %w: remote charts need a chart cache", src.remote, src.label, ErrNoChartCache)
	}
	c, err := w.x.Charts.Fetch(ctx, *src.remote)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(c.Path)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", src.remote, err)
	}
	defer f.Close()
	ch, err := helm.LoadArchive(f, w.x.Limits)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", src.remote, err)
	}
	for _, name := range rel.valuesFiles {
		if name == "values.yaml" {
			continue // the chart's own values, already the base
		}
		var data []byte
		for _, file := range ch.Files {
			if file.Name == name {
				data = file.Data
			}
		}
		if data == nil {
			return nil, fmt.Errorf("chart %s: values file %s is not in the chart", src.remote, name)
		}
		m, err := helm.ParseValues(data, name, w.x.Limits)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", src.remote, err)
		}
		hr.Values = append(hr.Values, m)
	}
	hr.Values = append(hr.Values, rel.values...)
	return helm.RenderChart(ctx, ch, hr, w.x.Limits)
}

// parseManifests splits Helm's output into objects, each with the
// template that made it as its origin.
func parseManifests(out []byte, src chartSource, origin string) ([]*unstructured.Unstructured, []render.Origin, error) {
	var (
		objs    []*unstructured.Unstructured
		origins []render.Origin
	)
	for _, doc := range splitDocs(out) {
		source := ""
		for _, line := range strings.SplitN(string(doc), "\n", 3) {
			if s, ok := strings.CutPrefix(strings.TrimSpace(line), "# Source: "); ok {
				source = s
			}
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", source, err)
		}
		if s := strings.TrimSpace(string(j)); s == "null" || s == "{}" {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(j); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", source, err)
		}
		objs = append(objs, u)
		p := origin
		if _, tmpl, ok := strings.Cut(source, "/"); ok && src.remote == nil {
			p = path.Join(src.dir, tmpl)
		} else if source != "" {
			p = origin + "#" + source
		}
		origins = append(origins, render.Origin{Path: p, Generator: "HelmChart"})
	}
	return objs, origins, nil
}
