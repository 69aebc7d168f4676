package promote

import (
	"fmt"
	"slices"
	"strings"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/gitward/gitward/pkg/config"
)

// promoteLiterals copies the literals a configMapLiterals rule names from
// the source kustomization's configMapGenerator entry into the target's.
// A literal the target lacks is appended; an entry the target lacks is
// copied whole (with only the rule's keys).
func (p *planner) promoteLiterals(pair kustomizationPair, rule config.ConfigMapLiterals) error {
	src, err := p.sourceYAML(pair.from)
	if err != nil || len(src.docs) == 0 {
		return err
	}
	srcGen := generator(src.docs[0], rule.Name)
	if srcGen == nil {
		return nil
	}
	srcLits := literals(srcGen)
	dst, err := p.targetYAML(pair.to)
	if err != nil {
		return err
	}
	if len(dst.docs) == 0 {
		return fmt.Errorf("%s: empty kustomization", pair.to)
	}
	keys := rule.Keys
	if len(keys) == 0 {
		for _, l := range srcLits {
			keys = append(keys, l.key)
		}
	}
	dstGen := generator(dst.docs[0], rule.Name)
	if dstGen == nil {
		gen := srcGen.Copy()
		if seq := gen.Field("literals"); seq != nil {
			seq.Value.YNode().Content = slices.DeleteFunc(seq.Value.YNode().Content, func(n *kyaml.Node) bool {
				return !slices.Contains(keys, literalKey(n.Value))
			})
		}
		gens, err := dst.docs[0].Pipe(kyaml.LookupCreate(kyaml.SequenceNode, "configMapGenerator"))
		if err != nil {
			return fmt.Errorf("%s: configMapGenerator: %w", pair.to, err)
		}
		dst.appendItem(gens, gen)
		for _, l := range literals(gen) {
			p.move(Move{Kind: MoveLiteral, File: pair.to, Name: rule.Name + " " + l.key, After: l.value})
		}
		return nil
	}
	dstSeq, err := dstGen.Pipe(kyaml.LookupCreate(kyaml.SequenceNode, "literals"))
	if err != nil {
		return fmt.Errorf("%s: configMapGenerator[name=%s].literals: %w", pair.to, rule.Name, err)
	}
	dstLits := literals(dstGen)
	for _, key := range keys {
		i := slices.IndexFunc(srcLits, func(l literal) bool { return l.key == key })
		if i < 0 {
			p.note("configMapGenerator %s in %s has no literal %s; not promoted", rule.Name, pair.from, key)
			continue
		}
		s := srcLits[i]
		j := slices.IndexFunc(dstLits, func(l literal) bool { return l.key == key })
		if j < 0 {
			dst.appendItem(dstSeq, kyaml.NewRNode(s.node))
			p.move(Move{Kind: MoveLiteral, File: pair.to, Name: rule.Name + " " + key, After: s.value})
			continue
		}
		d := dstLits[j]
		if d.value == s.value {
			continue
		}
		if sp, ok := dst.scalarSplice(d.node, s.node.Value, s.node.Tag, d.node.Style); ok {
			dst.splices = append(dst.splices, sp)
		} else {
			dst.structural = true
		}
		d.node.Value = s.node.Value
		p.move(Move{Kind: MoveLiteral, File: pair.to, Name: rule.Name + " " + key, Before: d.value, After: s.value})
	}
	return nil
}

// literal is one KEY=value entry of a configMapGenerator.
type literal struct {
	key, value string
	node       *kyaml.Node
}

// generator returns the configMapGenerator entry called name, or nil.
func generator(kust *kyaml.RNode, name string) *kyaml.RNode {
	gens := kust.Field("configMapGenerator")
	if gens == nil || gens.Value.YNode().Kind != kyaml.SequenceNode {
		return nil
	}
	g, err := gens.Value.Pipe(kyaml.MatchElement("name", name))
	if err != nil {
		return nil
	}
	return g
}

// literals returns the literals of a configMapGenerator entry.
func literals(gen *kyaml.RNode) []literal {
	seq := gen.Field("literals")
	if seq == nil || seq.Value.YNode().Kind != kyaml.SequenceNode {
		return nil
	}
	var out []literal
	for _, n := range seq.Value.Content() {
		if n.Kind != kyaml.ScalarNode {
			continue
		}
		k, v, _ := strings.Cut(n.Value, "=")
		out = append(out, literal{key: k, value: v, node: n})
	}
	return out
}

// literalKey returns the key of a KEY=value literal.
func literalKey(s string) string {
	k, _, _ := strings.Cut(s, "=")
	return k
}
