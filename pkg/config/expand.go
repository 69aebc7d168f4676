package config

import (
	"path"

	yaml "go.yaml.in/yaml/v3"
)

// ExpandsAt reports whether the rendering of folder p (an environment's or
// a source's path) expands Flux and Argo CD objects: false only when a
// source with that path says expand: false. Expanding is the default so
// that a Flux or Argo CD repository works as it is, with gitward applying
// (and its webhook guarding) the objects a HelmRelease or Application
// makes; a source whose Flux or Argo CD controllers keep running says
// expand: false, and gitward then applies the HelmRelease or Application
// itself and leaves the rest to its controller (docs/flux-argo.md).
func (c *Config) ExpandsAt(p string) bool {
	for _, s := range c.Sources {
		if path.Clean(s.Path) == path.Clean(p) && s.Expand != nil {
			return *s.Expand
		}
	}
	return true
}

// boolean decodes true or false.
func (d *document) boolean(n *yaml.Node, field string) *bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		d.list.add(field, ErrInvalidValue, "want true or false, got %s", describe(n))
		return nil
	}
	return &b
}
