package helm

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	kubefake "helm.sh/helm/v3/pkg/kube/fake"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage"
	"helm.sh/helm/v3/pkg/storage/driver"
)

// DefaultReleaseName is the release name `helm template` uses when it is
// given none.
const DefaultReleaseName = "release-name"

// Release is what `helm template` takes besides the chart.
type Release struct {
	// Name is the release name ("" means DefaultReleaseName).
	Name string
	// Namespace is .Release.Namespace ("" means "default", as helm does
	// with no --namespace and no kubeconfig).
	Namespace string
	// ValuesFiles are files of Chart.FS (slash paths from its root),
	// merged in order over the chart's values.yaml as `-f` files are.
	ValuesFiles []string
	// Values are merged after ValuesFiles, in order (like `--set`, but
	// typed: a map from ParseValues or built in code).
	Values []map[string]any
	// KubeVersion sets .Capabilities.KubeVersion (`--kube-version`);
	// "" is Helm's offline default.
	KubeVersion string
	// APIVersions are added to .Capabilities.APIVersions (`--api-versions`).
	APIVersions []string
	// IncludeCRDs renders the chart's crds/ folders (`--include-crds`).
	IncludeCRDs bool
	// SkipHooks leaves hooks out (`--no-hooks`).
	SkipHooks bool
	// SkipTests leaves test hooks out (`--skip-tests`).
	SkipTests bool
}

// Render renders the chart folder c as `helm template` does and returns
// the same bytes it prints: the manifests in Helm's install order, each as
// "---\n# Source: <file>\n<yaml>", then the hooks; NOTES.txt is dropped.
// It runs offline: `lookup` returns empty and nothing is fetched.
func Render(ctx context.Context, c Chart, r Release, lim Limits) ([]byte, error) {
	ch, err := Load(c, lim)
	if err != nil {
		return nil, err
	}
	var vals []map[string]any
	for _, f := range r.ValuesFiles {
		data, err := readValuesFile(c, f, lim)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", c.Dir, err)
		}
		m, err := ParseValues(data, f, lim)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", c.Dir, err)
		}
		vals = append(vals, m)
	}
	r.Values = append(vals, r.Values...)
	r.ValuesFiles = nil
	return renderLoaded(ctx, ch, r, lim, c.Dir)
}

// RenderChart renders a loaded chart (from Load or LoadArchive) with the
// values r.Values; r.ValuesFiles must be empty (read them with
// ParseValues first). Errors name the chart by its Chart.yaml name.
func RenderChart(ctx context.Context, ch *chart.Chart, r Release, lim Limits) ([]byte, error) {
	if len(r.ValuesFiles) > 0 {
		return nil, fmt.Errorf("helm: RenderChart takes no ValuesFiles; parse them with ParseValues")
	}
	if ch == nil || ch.Metadata == nil {
		return nil, fmt.Errorf("helm: no chart")
	}
	return renderLoaded(ctx, ch, r, lim, ch.Name())
}

// renderLoaded renders ch; label names it in errors.
func renderLoaded(ctx context.Context, ch *chart.Chart, r Release, lim Limits, label string) ([]byte, error) {
	lim = lim.withDefaults()
	vals := map[string]any{}
	for _, v := range r.Values {
		vals = mergeValues(vals, v)
	}
	if lim.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lim.Timeout)
		defer cancel()
	}
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	// Helm's engine does not watch a context: a template that loops for
	// long is abandoned when ctx ends (its goroutine finishes on its own;
	// the include depth limit and the values bounds keep that finite).
	go func() {
		out, err := renderChart(ctx, ch, r, vals)
		done <- result{out, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return nil, fmt.Errorf("chart %s: %w", label, res.err)
		}
		if over(int64(len(res.out)), lim.OutputBytes) {
			return nil, fmt.Errorf("chart %s: output of %d bytes, more than %d: %w", label, len(res.out), lim.OutputBytes, ErrTooLarge)
		}
		return res.out, nil
	case <-ctx.Done():
		if ctx.Err() == context.DeadlineExceeded {
			return nil, fmt.Errorf("chart %s: after %s: %w", label, lim.Timeout, ErrTimeout)
		}
		return nil, fmt.Errorf("chart %s: %w", label, ctx.Err())
	}
}

// renderChart is `helm template` (pkg/cmd/template.go and install.go of
// Helm v3.21.4) without the command line: a client-only dry-run install.
func renderChart(ctx context.Context, ch *chart.Chart, r Release, vals map[string]any) ([]byte, error) {
	if t := ch.Metadata.Type; t != "" && t != "application" {
		return nil, fmt.Errorf("%s charts are not installable", t)
	}
	if req := ch.Metadata.Dependencies; req != nil {
		if err := action.CheckDependencies(ch, req); err != nil {
			return nil, fmt.Errorf("An error occurred while checking for chart dependencies. "+
				"You may need to run `helm dependency build` to fetch missing dependencies: %w", err)
		}
	}
	if err := validateSchemas(ch, vals, r); err != nil {
		return nil, err
	}
	mem := driver.NewMemory()
	cfg := &action.Configuration{
		Releases:     storage.Init(mem),
		KubeClient:   &kubefake.PrintingKubeClient{Out: io.Discard},
		Capabilities: chartutil.DefaultCapabilities.Copy(),
		Log:          func(string, ...any) {},
	}
	in := action.NewInstall(cfg)
	in.DryRun = true
	in.DryRunOption = "true"
	in.ClientOnly = true
	in.Replace = true
	in.ReleaseName = r.Name
	if in.ReleaseName == "" {
		in.ReleaseName = DefaultReleaseName
	}
	in.Namespace = r.Namespace
	if in.Namespace == "" {
		in.Namespace = "default"
	}
	in.IncludeCRDs = r.IncludeCRDs
	in.DisableHooks = r.SkipHooks
	in.APIVersions = chartutil.VersionSet(r.APIVersions)
	in.SkipSchemaValidation = true // validateSchemas did it, offline
	if r.KubeVersion != "" {
		kv, err := chartutil.ParseKubeVersion(r.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("invalid kube version '%s': %s", r.KubeVersion, err)
		}
		in.KubeVersion = kv
	}
	rel, err := in.RunWithContext(ctx, ch, vals)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintln(&b, strings.TrimSpace(rel.Manifest))
	if !r.SkipHooks {
		for _, h := range rel.Hooks {
			if r.SkipTests && isTestHook(h) {
				continue
			}
			fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
		}
	}
	return b.Bytes(), nil
}

func isTestHook(h *release.Hook) bool {
	for _, e := range h.Events {
		if e == release.HookTest {
			return true
		}
	}
	return false
}
