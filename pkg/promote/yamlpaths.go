package promote

import (
	"fmt"
	"path"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/utils"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/gitward/gitward/pkg/config"
)

// promoteYAMLPath copies the value at rule.Path in the source's rule.File
// into the target's file of the same name, document by document (documents
// are paired by kind and metadata.name, and filtered by rule.Kind and
// rule.Name). A file the source does not have is skipped with a note; one
// only the target lacks is an error.
func (p *planner) promoteYAMLPath(i int, rule config.YAMLPath) error {
	field := fmt.Sprintf("promotion.yamlPaths[%d]", i)
	fromFile, toFile := path.Join(p.from.Path, rule.File), path.Join(p.to.Path, rule.File)
	if _, ok, err := exists(p.src, fromFile); err != nil || !ok {
		if err == nil {
			p.note("%s: %s does not exist in %s; %s not promoted", field, fromFile, p.from.Name, rule.Path)
		}
		return err
	}
	if _, ok, err := exists(p.dst, toFile); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%w: %s: %s exists in %s but %s does not; create it, or list %s under promotion.files",
				ErrRule, field, fromFile, p.from.Name, toFile, rule.File)
		}
		return err
	}
	parts := utils.SmarterPathSplitter(rule.Path, ".")
	last := parts[len(parts)-1]
	if strings.HasPrefix(last, "[") {
		return fmt.Errorf("%w: %s: path %q must end in a field name, not a list filter", ErrRule, field, rule.Path)
	}
	src, err := p.sourceYAML(fromFile)
	if err != nil {
		return err
	}
	dst, err := p.targetYAML(toFile)
	if err != nil {
		return err
	}
	matched := 0
	for _, sdoc := range src.docs {
		if !selected(sdoc, rule) {
			continue
		}
		ddoc := counterpart(dst.docs, sdoc)
		if ddoc == nil {
			p.note("%s: %s has no %s %q like %s; %s not promoted", field, toFile, sdoc.GetKind(), sdoc.GetName(), fromFile, rule.Path)
			continue
		}
		matched++
		value, err := sdoc.Pipe(kyaml.Lookup(parts...))
		if err != nil {
			return fmt.Errorf("%w: %s: %s: %s: %w", ErrRule, field, fromFile, rule.Path, err)
		}
		if value == nil {
			p.note("%s: %s has no %s; not promoted", field, fromFile, rule.Path)
			continue
		}
		parent, err := ddoc.Pipe(kyaml.LookupCreate(kyaml.MappingNode, parts[:len(parts)-1]...))
		if err != nil || parent == nil {
			return fmt.Errorf("%w: %s: %s: cannot reach %s: %v", ErrRule, field, toFile, rule.Path, err)
		}
		before := nodeText(parent.Field(last))
		var changed bool
		if value.YNode().Kind == kyaml.ScalarNode {
			changed, err = dst.setScalar(parent, last, value.YNode())
		} else if before != nodeText(&kyaml.MapNode{Value: value}) {
			changed, err = true, parent.PipeE(kyaml.SetField(last, value.Copy()))
			dst.structural = true
		}
		if err != nil {
			return fmt.Errorf("%s: %s: %w", field, toFile, err)
		}
		if changed {
			p.move(Move{Kind: MoveYAML, File: toFile, Name: rule.Path, Before: before, After: nodeText(parent.Field(last))})
		}
	}
	if matched == 0 && (rule.Kind != "" || rule.Name != "") {
		p.note("%s: no document of kind %q name %q in %s", field, rule.Kind, rule.Name, fromFile)
	}
	return nil
}

// selected reports whether doc matches the rule's kind and name filters.
func selected(doc *kyaml.RNode, rule config.YAMLPath) bool {
	return (rule.Kind == "" || doc.GetKind() == rule.Kind) && (rule.Name == "" || doc.GetName() == rule.Name)
}

// counterpart returns the document of docs with sdoc's kind and name; a
// lone document pairs with a lone document whatever its identity.
func counterpart(docs []*kyaml.RNode, sdoc *kyaml.RNode) *kyaml.RNode {
	for _, d := range docs {
		if d.GetKind() == sdoc.GetKind() && d.GetName() == sdoc.GetName() {
			return d
		}
	}
	if len(docs) == 1 && sdoc.GetKind() == "" {
		return docs[0]
	}
	return nil
}

// nodeText is a field's value for messages: a scalar as it is, anything
// else as one-line flow YAML; "" when absent.
func nodeText(f *kyaml.MapNode) string {
	if f == nil || f.Value == nil {
		return ""
	}
	n := f.Value.YNode()
	if n.Kind == kyaml.ScalarNode {
		return n.Value
	}
	s, err := kyaml.String(n, kyaml.Flow, kyaml.Trim)
	if err != nil {
		return "?"
	}
	return s
}
