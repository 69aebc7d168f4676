// Copyright 2019 The Kubernetes Authors.
// SPDX-License-Identifier: Apache-2.0

package types

type HelmConfig struct {
	Enabled     bool
	Command     string
	ApiVersions []string
	KubeVersion string
	Debug       bool

	// gitward: Template, when set, renders a helmCharts entry in-process
	// instead of running Command: no `helm version`, no `helm pull`, no
	// temporary values files. It must return what `helm template` would
	// print for the request.
	Template HelmTemplateFunc
}

// gitward: HelmTemplateFunc renders one helmCharts entry (see
// HelmConfig.Template).
type HelmTemplateFunc func(req HelmTemplateRequest) ([]byte, error)

// gitward: HelmTemplateRequest is what the HelmChartInflationGenerator
// would have passed to `helm template`.
type HelmTemplateRequest struct {
	// Chart is the helmCharts entry with kustomize's defaults applied and
	// the CLI's kubeVersion, apiVersions and debug merged in.
	Chart HelmChart
	// ChartDir is the chart folder, {chartHome}/{name} (with
	// {name}-{version} for a chart with repo and version), as an absolute
	// path of the kustomize file system.
	ChartDir string
	// Values are the values documents in `-f` order: the values file (the
	// chart's values.yaml unless valuesFile is set, merged with
	// valuesInline), then each of additionalValuesFiles. Values[0] is nil
	// for a remote chart not in chartHome, without valuesFile and
	// valuesInline.
	Values [][]byte
	// ValuesNames names Values[i] for messages.
	ValuesNames []string
}

// PluginConfig holds plugin configuration.
type PluginConfig struct {
	// PluginRestrictions distinguishes plugin restrictions.
	PluginRestrictions PluginRestrictions

	// BpLoadingOptions distinguishes builtin plugin behaviors.
	BpLoadingOptions BuiltinPluginLoadingOptions

	// FnpLoadingOptions sets the way function-based plugin behaviors.
	FnpLoadingOptions FnPluginLoadingOptions

	// HelmConfig contains metadata needed for allowing and running helm.
	HelmConfig HelmConfig
}

func EnabledPluginConfig(b BuiltinPluginLoadingOptions) (pc *PluginConfig) {
	pc = MakePluginConfig(PluginRestrictionsNone, b)
	pc.HelmConfig.Enabled = true
	// If this command is not on PATH, tests needing it should skip.
	pc.HelmConfig.Command = "helmV3"
	return
}

func DisabledPluginConfig() *PluginConfig {
	return MakePluginConfig(
		PluginRestrictionsBuiltinsOnly,
		BploUseStaticallyLinked)
}

func MakePluginConfig(pr PluginRestrictions,
	b BuiltinPluginLoadingOptions) *PluginConfig {
	return &PluginConfig{
		PluginRestrictions: pr,
		BpLoadingOptions:   b,
	}
}
