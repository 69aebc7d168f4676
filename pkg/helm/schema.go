package helm

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// validateSchemas checks the values against the charts' values.schema.json
// as `helm template` does (chartutil.ToRenderValuesWithSchemaValidation),
// but offline: Helm's own validator resolves $ref over HTTP and reads
// file:// URLs anywhere on disk; here a $ref may only point inside the
// schema itself (or to a urn Helm's URNResolver knows).
func validateSchemas(ch *chart.Chart, vals map[string]any, r Release) error {
	if !hasSchema(ch) {
		return nil
	}
	top, err := chartutil.ToRenderValuesWithSchemaValidation(ch, vals, chartutil.ReleaseOptions{}, chartutil.DefaultCapabilities, true)
	if err != nil {
		return err
	}
	values, _ := top["Values"].(chartutil.Values)
	if err := validateAgainstSchema(ch, values); err != nil {
		if strings.Contains(err.Error(), ErrOffline.Error()) {
			err = fmt.Errorf("%w: %s", ErrOffline, err)
		}
		return fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%w", err)
	}
	return nil
}

func hasSchema(ch *chart.Chart) bool {
	if ch.Schema != nil {
		return true
	}
	for _, d := range ch.Dependencies() {
		if hasSchema(d) {
			return true
		}
	}
	return false
}

// validateAgainstSchema is chartutil.ValidateAgainstSchema with the
// offline loader.
func validateAgainstSchema(ch *chart.Chart, values map[string]any) error {
	var sb strings.Builder
	if ch.Schema != nil {
		if err := validateSingle(values, ch.Schema, ch.Name()); err != nil {
			fmt.Fprintf(&sb, "%s:\n", ch.Name())
			sb.WriteString(err.Error())
		}
	}
	for _, sub := range ch.Dependencies() {
		raw, ok := values[sub.Name()]
		if !ok || raw == nil {
			continue
		}
		sv, ok := raw.(map[string]any)
		if !ok {
			fmt.Fprintf(&sb, "%s:\ninvalid type for values: expected object (map), got %T\n", sub.Name(), raw)
			continue
		}
		if err := validateAgainstSchema(sub, sv); err != nil {
			sb.WriteString(err.Error())
		}
	}
	if sb.Len() > 0 {
		return fmt.Errorf("%s", sb.String())
	}
	return nil
}

func validateSingle(values map[string]any, schemaJSON []byte, chartName string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unable to validate schema: %s", r)
		}
	}()
	schema, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(offlineLoader{chart: chartName})
	if err := c.AddResource("file:///values.schema.json", schema); err != nil {
		return err
	}
	v, err := c.Compile("file:///values.schema.json")
	if err != nil {
		return err
	}
	if err := v.Validate(chartutil.Values(values).AsMap()); err != nil {
		return fmt.Errorf("%w\n", err)
	}
	return nil
}

// offlineLoader refuses every schema but urns Helm can resolve.
type offlineLoader struct{ chart string }

func (l offlineLoader) Load(url string) (any, error) {
	if strings.HasPrefix(url, "urn:") && chartutil.URNResolver != nil {
		return chartutil.URNResolver(url)
	}
	return nil, fmt.Errorf("values.schema.json of chart %s refers to %s: %w", l.chart, url, ErrOffline)
}

// readValuesFile reads a values file of c.FS (a slash path from its root),
// bounded by lim.
func readValuesFile(c Chart, name string, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	p := path.Clean(name)
	if path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
		return nil, fmt.Errorf("values file %s: outside the repository", name)
	}
	info, err := fs.Stat(c.FS, p)
	if err != nil {
		return nil, fmt.Errorf("values file %s: %w", name, err)
	}
	if over(info.Size(), lim.ValuesBytes) {
		return nil, fmt.Errorf("values file %s: %d bytes, more than %d: %w", name, info.Size(), lim.ValuesBytes, ErrTooLarge)
	}
	return fs.ReadFile(c.FS, p)
}
