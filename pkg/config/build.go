package config

import (
	"errors"
	"fmt"
)

// defaults are what build fills in that the file does not say.
type defaults struct {
	branch   string   // for sources without a branch
	policies []string // when the file has no policies
}

// Parse decodes and validates gitward.yaml content; file names it in errors.
// Defaults that need no tree are applied (see the package documentation):
// sources default to one per environment on branch "main", promotion.images
// to true. Omitted environments or policies stay empty: Load and LoadFS fill
// them from the tree.
func Parse(data []byte, file string) (*Config, error) {
	doc, err := parseDocument(data, file)
	if err != nil {
		return nil, err
	}
	return doc.build(defaults{branch: DefaultBranch}), nil
}

// parseDocument decodes and validates; every field problem is returned,
// joined.
func parseDocument(data []byte, file string) (*document, error) {
	doc, err := decodeDocument(data, file)
	if err != nil {
		return nil, err
	}
	doc.validate()
	if len(doc.list.errs) > 0 {
		return nil, errors.Join(doc.list.errs...)
	}
	return doc, nil
}

// build returns the Config the document describes, with defaults applied.
func (d *document) build(def defaults) *Config {
	c := &Config{
		APIVersion:   d.apiVersion,
		Kind:         d.kind,
		Environments: d.environments,
		Sources:      d.sources,
		Promotion:    Promotion{Images: true, Files: d.files, ConfigMapLiterals: d.literals, YAMLPaths: d.yamlPaths},
		Policies:     d.policies,
		File:         d.list.file,
	}
	if d.images != nil {
		c.Promotion.Images = *d.images
	}
	if c.Policies == nil {
		c.Policies = def.policies
	}
	c.applySourceDefaults(d.sources == nil, def.branch)
	return c
}

// applySourceDefaults derives one source per environment when the file
// names no sources, and gives sources without a branch the default branch.
func (c *Config) applySourceDefaults(derive bool, branch string) {
	if derive {
		c.Sources = make([]Source, 0, len(c.Environments))
		for _, e := range c.Environments {
			c.Sources = append(c.Sources, Source{Name: e.Name, Path: e.Path})
		}
	}
	for i := range c.Sources {
		if c.Sources[i].Branch == "" {
			c.Sources[i].Branch = branch
		}
	}
}

// origin describes where the configuration came from, for messages.
func (c *Config) origin() string {
	switch {
	case c.File != "":
		return c.File
	case c.Layout != "":
		return fmt.Sprintf("the conventional layout %s/<environment>", c.Layout)
	}
	return "the configuration"
}
