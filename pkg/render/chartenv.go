package render

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/helm"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// chartEnvironment renders p when gitward.yaml at the root of fsys
// declares a chart environment with that path (config.Chart); ok is false
// when it does not, and the caller reports its own error. Callers that
// render a path (agent, webhook, diff, trace, check, promote) thus render
// chart environments without knowing about them.
func chartEnvironment(ctx context.Context, fsys fs.FS, p string, o Options) (_ *Result, ok bool, _ error) {
	data, err := fs.ReadFile(fsys, config.FileName)
	if err != nil {
		return nil, false, nil
	}
	cfg, err := config.Parse(data, config.FileName)
	if err != nil {
		return nil, false, nil
	}
	env, found := cfg.ChartEnvironment(path.Clean(p))
	if !found {
		return nil, false, nil
	}
	res, err := renderChartEnv(ctx, fsys, env, o)
	if err != nil {
		return nil, true, fmt.Errorf("render %q (environment %s, chart %s): %w", p, env.Name, env.Chart.Path, err)
	}
	return res, true, nil
}

func renderChartEnv(ctx context.Context, fsys fs.FS, env config.Environment, o Options) (*Result, error) {
	c := env.Chart
	rel := helm.Release{Name: c.Release, Namespace: c.Namespace, ValuesFiles: c.Values}
	if rel.Name == "" {
		rel.Name = path.Base(c.Path)
		if c.Path == "." {
			rel.Name = env.Name
		}
	}
	out, err := helm.Render(ctx, helm.Chart{FS: fsys, Dir: c.Path}, rel, helm.Limits{})
	if err != nil {
		return nil, err
	}
	m, err := chartResMap(out, c.Namespace)
	if err != nil {
		return nil, err
	}
	r, err := newResult(m, "", false, false, !o.SkipYAML)
	if err != nil {
		return nil, err
	}
	if o.Origins {
		r.Origins = chartOrigins(out, c.Path, len(r.Objects))
	}
	return r, nil
}

// chartResMap reads helm's output; with a namespace, namespaced objects
// that name none get it, as `helm install -n` (and Argo CD's destination
// namespace) would place them. kustomize's NamespaceTransformer does it
// (unsetOnly), so cluster-scoped kinds are left alone as kustomize knows them.
func chartResMap(out []byte, ns string) (resmap.ResMap, error) {
	if ns == "" {
		m, err := resmap.NewFactory(provider.NewDefaultDepProvider().GetResourceFactory()).NewResMapFromBytes(out)
		if err != nil {
			return nil, fmt.Errorf("reading helm output: %w", err)
		}
		return m, nil
	}
	fsys := filesys.MakeFsInMemory()
	k := "resources: [helm.yaml]\ntransformers:\n- |-\n  apiVersion: builtin\n  kind: NamespaceTransformer\n" +
		"  metadata: {name: release-namespace, namespace: " + strconv.Quote(ns) + "}\n  unsetOnly: true\n" +
		"  fieldSpecs: [{path: metadata/namespace, create: true}]\n"
	if err := fsys.WriteFile("/chart/kustomization.yaml", []byte(k)); err != nil {
		return nil, err
	}
	if err := fsys.WriteFile("/chart/helm.yaml", out); err != nil {
		return nil, err
	}
	m, err := newKustomizer(nil).Run(fsys, "/chart")
	if err != nil {
		return nil, fmt.Errorf("reading helm output: %w", err)
	}
	return m, nil
}

// chartOrigins maps each rendered object to its template file, from the
// "# Source: <chart>/templates/x.yaml" line helm writes above each
// document; the chart's name is replaced by its folder. If the count does
// not line up (a template printing comments only), every object gets the
// chart folder.
func chartOrigins(out []byte, dir string, n int) []Origin {
	var origins []Origin
	source, content := "", false
	flush := func() {
		if content {
			origins = append(origins, Origin{Path: sourcePath(dir, source)})
		}
		content = false
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "---":
			flush()
		case strings.HasPrefix(line, "# Source: "):
			source = strings.TrimPrefix(line, "# Source: ")
		case strings.TrimSpace(line) != "" && !strings.HasPrefix(strings.TrimSpace(line), "#"):
			content = true
		}
	}
	flush()
	if len(origins) != n {
		origins = make([]Origin, n)
		for i := range origins {
			origins[i] = Origin{Path: dir}
		}
	}
	return origins
}

// sourcePath turns helm's "<chart name>/templates/x.yaml" into a path of
// the repository.
func sourcePath(dir, source string) string {
	_, rest, ok := strings.Cut(source, "/")
	if !ok {
		return dir
	}
	return path.Join(dir, rest)
}
