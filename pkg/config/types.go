package config

import "errors"

// File format constants.
const (
	// FileName is the name of the file at the repository root.
	FileName = "gitward.yaml"
	// APIVersion is the only apiVersion this package reads.
	APIVersion = "gitward.dev/v1alpha1"
	// Kind is the only kind this package reads.
	Kind = "Config"
	// DefaultBranch is the branch of a source that names none, when the
	// checkout's branch is not known.
	DefaultBranch = "main"
	// DefaultPolicies is the policies folder used when the file names none
	// and the folder exists.
	DefaultPolicies = "policies/"
)

// Sentinel errors; returned errors wrap them.
var (
	// ErrSyntax: the file is not one YAML document holding a mapping.
	ErrSyntax = errors.New("invalid YAML")
	// ErrUnsupported: wrong or missing apiVersion or kind.
	ErrUnsupported = errors.New("unsupported apiVersion or kind")
	// ErrUnknownField: a field the format does not have.
	ErrUnknownField = errors.New("unknown field")
	// ErrInvalidValue: a value of the wrong type, or a required one missing.
	ErrInvalidValue = errors.New("invalid value")
	// ErrInvalidName: a name that is not a DNS label.
	ErrInvalidName = errors.New("invalid name")
	// ErrDuplicate: a field, environment or source defined twice.
	ErrDuplicate = errors.New("duplicate")
	// ErrInvalidPath: a path that is absolute, not clean, or leaves the repository.
	ErrInvalidPath = errors.New("invalid path")
	// ErrNoEnvironments: no gitward.yaml and no conventional layout, or a
	// file that defines neither environments nor sources.
	ErrNoEnvironments = errors.New("no environments")
	// ErrNotFound: Config.Environment or Config.Source was asked for a name
	// the configuration does not define.
	ErrNotFound = errors.New("not found")
)

// Config is a repository's gitward configuration, with defaults applied.
type Config struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Environments in promotion order.
	Environments []Environment `json:"environments"`
	// Sources an agent or webhook tracks.
	Sources []Source `json:"sources"`
	// Promotion says what `git gitops promote` copies between environments.
	Promotion Promotion `json:"promotion"`
	// Policies are paths of Kyverno policies (files, or folders ending in
	// "/") that `git gitops check` evaluates.
	Policies []string `json:"policies"`

	// File is the file the configuration was read from (as given to Parse,
	// or gitward.yaml under the root); empty when it comes from a layout.
	File string `json:"-"`
	// Layout is the conventional layout folder ("overlays", "apps" or
	// "clusters") the environments were discovered in; empty when listed.
	Layout string `json:"-"`
}

// Environment is a step of the promotion chain: a name and the folder of its
// kustomization, relative to the repository root; or, with Chart, a Helm
// chart in the repository rendered with this environment's values files.
type Environment struct {
	Name string `json:"name"`
	// Path is the kustomization folder. For a chart environment it is the
	// key by which every gitward program finds the chart (sources and
	// renders name it): it defaults to the last values file, or to the
	// chart folder, and chart environments must not share one.
	Path  string `json:"path"`
	Chart *Chart `json:"chart,omitempty"`
}

// Chart is a Helm chart folder in the repository rendered for one
// environment, as `helm template <release> <path> -n <namespace> -f
// <values>...` would.
type Chart struct {
	// Path is the chart folder (holding Chart.yaml).
	Path string `json:"path"`
	// Values are values files merged in order over the chart's
	// values.yaml; paths relative to the repository root.
	Values []string `json:"values,omitempty"`
	// Release is the release name; default: the chart folder's base name.
	Release string `json:"release,omitempty"`
	// Namespace is .Release.Namespace and the namespace of rendered
	// namespaced objects that name none (as helm install -n places them);
	// "" means "default" for .Release.Namespace and leaves objects as they are.
	Namespace string `json:"namespace,omitempty"`
}

// ChartEnvironment returns the chart environment whose path is p, if any.
func (c *Config) ChartEnvironment(p string) (Environment, bool) {
	for _, e := range c.Environments {
		if e.Chart != nil && e.Path == p {
			return e, true
		}
	}
	return Environment{}, false
}

// Source is what an agent or webhook tracks: the kustomization at Path, on
// Branch, of the repository Repo ("" means this checkout's origin).
type Source struct {
	Name   string `json:"name"`
	Repo   string `json:"repo,omitempty"`
	Branch string `json:"branch"`
	Path   string `json:"path"`
	// Expand says whether gitward expands the Flux Kustomizations,
	// HelmReleases and Argo CD Applications of the source to their
	// objects and applies those itself (true, the default: see
	// ExpandsAt), or leaves them to their controllers (false).
	Expand *bool `json:"expand,omitempty"`
}

// Promotion says what a promotion copies from one environment to the next.
type Promotion struct {
	// Images copies the kustomize images entries (newName, newTag, digest).
	Images bool `json:"images"`
	// Files are copied as they are; paths relative to the environment folder.
	Files []string `json:"files"`
	// ConfigMapLiterals copies literals of configMapGenerator entries of the
	// environment's kustomization files.
	ConfigMapLiterals []ConfigMapLiterals `json:"configMapLiterals,omitempty"`
	// YAMLPaths copies single values inside YAML files.
	YAMLPaths []YAMLPath `json:"yamlPaths,omitempty"`
}

// ConfigMapLiterals names a configMapGenerator entry whose literals
// (KEY=value) a promotion copies.
type ConfigMapLiterals struct {
	// Name is the generator's name field.
	Name string `json:"name"`
	// Keys are the literal keys to copy; empty means every key.
	Keys []string `json:"keys,omitempty"`
}

// YAMLPath names one value a promotion copies: the field at Path (dotted,
// with kustomize-style list filters such as containers[name=app].image) in
// File, relative to the environment folder. In a file of several documents,
// Kind and Name (both optional) pick the documents to edit.
type YAMLPath struct {
	File string `json:"file"`
	Path string `json:"path"`
	Kind string `json:"kind,omitempty"`
	Name string `json:"name,omitempty"`
}
