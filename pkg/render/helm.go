package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/gitward/gitward/pkg/helm"
	"sigs.k8s.io/kustomize/api/types"
)

// ErrRemoteChart is wrapped when a helmCharts entry names a repo and the
// chart is not in chartHome, and no Options.Charts can fetch it.
var ErrRemoteChart = errors.New("remote chart")

// ChartSource fetches a chart a helmCharts entry names by repo (an HTTP
// chart repository or oci://) and returns its archive bytes (.tgz).
// Implementations bound time and size and cache by (repo, name, version).
type ChartSource interface {
	ChartArchive(ctx context.Context, repo, name, version string) ([]byte, error)
}

// helmTemplate is the HelmChartInflationGenerator's renderer for a render
// of t: `helm template` in-process (pkg/helm) over the tree, offline.
func helmTemplate(ctx context.Context, t *treeFS, charts ChartSource, lim helm.Limits) types.HelmTemplateFunc {
	return func(req types.HelmTemplateRequest) ([]byte, error) {
		c := req.Chart
		r := helm.Release{
			Name:        c.ReleaseName,
			Namespace:   c.Namespace,
			KubeVersion: c.KubeVersion,
			APIVersions: c.ApiVersions,
			IncludeCRDs: c.IncludeCRDs,
			SkipHooks:   c.SkipHooks,
			SkipTests:   c.SkipTests,
		}
		if c.NameTemplate != "" {
			return nil, fmt.Errorf("helmCharts %s: nameTemplate is not supported; set releaseName", c.Name)
		}
		for i, v := range req.Values {
			if v == nil {
				continue
			}
			m, err := helm.ParseValues(v, t.shown(req.ValuesNames[i]), lim)
			if err != nil {
				return nil, fmt.Errorf("helmCharts %s: %w", c.Name, err)
			}
			r.Values = append(r.Values, m)
		}
		rel, info, err := t.lookup(req.ChartDir)
		if err == nil && info.IsDir() {
			out, err := helm.Render(ctx, helm.Chart{FS: t.res.fsys, Dir: rel}, r, lim)
			if err != nil {
				return nil, fmt.Errorf("helmCharts %s: %w", c.Name, err)
			}
			return out, nil
		}
		if isEscape(err) {
			return nil, fmt.Errorf("helmCharts %s: %w", c.Name, err)
		}
		if c.Repo == "" {
			return nil, fmt.Errorf("helmCharts %s: no repo specified for pull, no chart found at '%s'", c.Name, t.shown(req.ChartDir))
		}
		if charts == nil {
			return nil, fmt.Errorf("helmCharts %s: not in %s and repo %s is not fetched here: %w",
				c.Name, t.shown(req.ChartDir), c.Repo, ErrRemoteChart)
		}
		tgz, err := charts.ChartArchive(ctx, c.Repo, c.Name, c.Version)
		if err != nil {
			return nil, fmt.Errorf("helmCharts %s: %w", c.Name, err)
		}
		ch, err := helm.LoadArchive(bytes.NewReader(tgz), lim)
		if err != nil {
			return nil, fmt.Errorf("helmCharts %s (%s %s): %w", c.Name, c.Repo, c.Version, err)
		}
		out, err := helm.RenderChart(ctx, ch, r, lim)
		if err != nil {
			return nil, fmt.Errorf("helmCharts %s: %w", c.Name, err)
		}
		return out, nil
	}
}

// shown is p (a path kustomize uses) as the reader knows it: relative to
// the root for a tree, as is on disk.
func (t *treeFS) shown(p string) string {
	if rel, err := t.toRel(p); err == nil {
		return rel
	}
	return p
}
