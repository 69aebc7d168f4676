package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// document is a decoded file before validation and defaults. Fields whose
// key was absent (or null) stay nil.
type document struct {
	apiVersion, kind string
	environments     []Environment // nil: absent
	sources          []Source      // nil: absent
	images           *bool
	files            []string
	literals         []ConfigMapLiterals
	yamlPaths        []YAMLPath
	policies         []string // nil: absent
	list             *errorList
}

// decodeDocument decodes data strictly, recording each field's position.
// The error is a syntax error; field problems are collected in doc.list.
func decodeDocument(data []byte, file string) (*document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FieldError{File: file, Err: ErrSyntax,
				Msg: fmt.Sprintf("the file is empty; start it with apiVersion: %s and kind: %s", APIVersion, Kind)}
		}
		return nil, syntaxError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, syntaxError(file, err)
		}
		return nil, &FieldError{File: file, Line: line, Err: ErrSyntax,
			Msg: "a second YAML document; gitward.yaml holds exactly one"}
	}
	top := resolve(&root)
	if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
		top = resolve(top.Content[0])
	}
	doc := &document{list: &errorList{file: file, pos: map[string]position{"": {top.Line, top.Column}}}}
	if top.Kind != yaml.MappingNode {
		return nil, &FieldError{File: file, Line: top.Line, Column: top.Column, Err: ErrSyntax,
			Msg: "the file must be a YAML mapping (apiVersion, kind, environments, ...)"}
	}
	doc.decodeTop(top)
	return doc, nil
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// fields walks the key/value pairs of mapping n (named field), records their
// positions and calls set for each known key; unknown and repeated keys are
// errors. Pairs with a null value are skipped: null is absent.
func (d *document) fields(n *yaml.Node, field string, known []string, set func(key, field string, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		key := k.Value
		sub := key
		if field != "" {
			sub = field + "." + key
		}
		d.list.pos[sub] = position{k.Line, k.Column}
		if first, dup := seen[key]; dup {
			d.list.add(sub, ErrDuplicate, "field %q is repeated (first at line %d)", key, first)
			continue
		}
		seen[key] = k.Line
		if !slices.Contains(known, key) {
			d.list.add(sub, ErrUnknownField, "unknown field %q; known fields: %s", key, strings.Join(known, ", "))
			continue
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue
		}
		d.list.pos[sub] = position{v.Line, v.Column}
		set(key, sub, v)
	}
}

// decodeTop decodes the top-level mapping.
func (d *document) decodeTop(n *yaml.Node) {
	known := []string{"apiVersion", "kind", "environments", "sources", "promotion", "policies"}
	d.fields(n, "", known, func(key, field string, v *yaml.Node) {
		switch key {
		case "apiVersion":
			d.apiVersion = d.scalar(v, field)
		case "kind":
			d.kind = d.scalar(v, field)
		case "environments":
			d.environments = []Environment{}
			d.items(v, field, func(item *yaml.Node, f string) {
				var e Environment
				d.fields(item, f, []string{"name", "path", "chart"}, func(key, f string, v *yaml.Node) {
					if key == "chart" {
						e.Chart = d.decodeChart(v, f)
						return
					}
					*pick(key, map[string]*string{"name": &e.Name, "path": &e.Path}) = d.scalar(v, f)
				})
				if e.Chart != nil && e.Path == "" {
					e.Path = e.Chart.defaultPath()
					d.list.pos[f+".path"] = d.list.pos[f+".chart"]
				}
				d.environments = append(d.environments, e)
			})
		case "sources":
			d.sources = []Source{}
			d.items(v, field, func(item *yaml.Node, f string) {
				var s Source
				d.fields(item, f, []string{"name", "repo", "branch", "path", "expand"}, func(key, f string, v *yaml.Node) {
					if key == "expand" {
						s.Expand = d.boolean(v, f)
						return
					}
					*pick(key, map[string]*string{"name": &s.Name, "repo": &s.Repo, "branch": &s.Branch, "path": &s.Path}) = d.scalar(v, f)
				})
				d.sources = append(d.sources, s)
			})
		case "promotion":
			d.decodePromotion(v, field)
		case "policies":
			d.policies = d.strings(v, field)
		}
	})
}

// decodeChart decodes an environment's chart mapping.
func (d *document) decodeChart(n *yaml.Node, field string) *Chart {
	if n.Kind != yaml.MappingNode {
		d.list.add(field, ErrInvalidValue, "want a mapping with path, values, release and namespace, got %s", describe(n))
		return &Chart{}
	}
	c := &Chart{}
	d.fields(n, field, []string{"path", "values", "release", "namespace"}, func(key, f string, v *yaml.Node) {
		if key == "values" {
			c.Values = d.strings(v, f)
			return
		}
		*pick(key, map[string]*string{"path": &c.Path, "release": &c.Release, "namespace": &c.Namespace}) = d.scalar(v, f)
	})
	return c
}

// defaultPath is a chart environment's path when the file names none: its
// last values file, else the chart folder.
func (c *Chart) defaultPath() string {
	if len(c.Values) > 0 {
		return c.Values[len(c.Values)-1]
	}
	return c.Path
}

// decodePromotion decodes the promotion mapping.
func (d *document) decodePromotion(n *yaml.Node, field string) {
	if n.Kind != yaml.MappingNode {
		d.list.add(field, ErrInvalidValue, "want a mapping with images, files, configMapLiterals and yamlPaths, got %s", describe(n))
		return
	}
	known := []string{"images", "files", "configMapLiterals", "yamlPaths"}
	d.fields(n, field, known, func(key, f string, v *yaml.Node) {
		switch key {
		case "images":
			var b bool
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || v.Decode(&b) != nil {
				d.list.add(f, ErrInvalidValue, "want true or false, got %s", describe(v))
				return
			}
			d.images = &b
		case "files":
			d.files = d.strings(v, f)
		case "configMapLiterals":
			d.items(v, f, func(item *yaml.Node, f string) {
				var c ConfigMapLiterals
				d.fields(item, f, []string{"name", "keys"}, func(key, f string, v *yaml.Node) {
					if key == "name" {
						c.Name = d.scalar(v, f)
						return
					}
					c.Keys = d.strings(v, f)
				})
				d.literals = append(d.literals, c)
			})
		case "yamlPaths":
			d.items(v, f, func(item *yaml.Node, f string) {
				var y YAMLPath
				d.fields(item, f, []string{"file", "path", "kind", "name"}, func(key, f string, v *yaml.Node) {
					*pick(key, map[string]*string{"file": &y.File, "path": &y.Path, "kind": &y.Kind, "name": &y.Name}) = d.scalar(v, f)
				})
				d.yamlPaths = append(d.yamlPaths, y)
			})
		}
	})
}

// items calls each for every mapping item of sequence n.
func (d *document) items(n *yaml.Node, field string, each func(item *yaml.Node, field string)) {
	if n.Kind != yaml.SequenceNode {
		d.list.add(field, ErrInvalidValue, "want a list, got %s", describe(n))
		return
	}
	for i, item := range n.Content {
		item = resolve(item)
		f := fmt.Sprintf("%s[%d]", field, i)
		d.list.pos[f] = position{item.Line, item.Column}
		if item.Kind != yaml.MappingNode {
			d.list.add(f, ErrInvalidValue, "want a mapping, got %s", describe(item))
			continue
		}
		each(item, f)
	}
}

// strings decodes a list of scalars.
func (d *document) strings(n *yaml.Node, field string) []string {
	if n.Kind != yaml.SequenceNode {
		d.list.add(field, ErrInvalidValue, "want a list of strings, got %s", describe(n))
		return nil
	}
	out := []string{}
	for i, item := range n.Content {
		item = resolve(item)
		f := fmt.Sprintf("%s[%d]", field, i)
		d.list.pos[f] = position{item.Line, item.Column}
		out = append(out, d.scalar(item, f))
	}
	return out
}

// scalar returns the text of a scalar; any scalar type is accepted, so that
// `branch: 2024` reads as "2024".
func (d *document) scalar(n *yaml.Node, field string) string {
	if n.Kind != yaml.ScalarNode {
		d.list.add(field, ErrInvalidValue, "want a string, got %s", describe(n))
		return ""
	}
	if n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// describe names the kind of a node for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%s %q", strings.TrimPrefix(n.Tag, "!!"), n.Value)
	}
	return "an unexpected node"
}

// pick returns the pointer stored under key.
func pick(key string, m map[string]*string) *string { return m[key] }
