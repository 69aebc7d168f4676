package promote

import (
	"io/fs"
	"path"
	"slices"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// MoveChart is a chart version: a Flux HelmRelease's
// spec.chart.spec.version or a kustomize helmCharts[].version.
const MoveChart MoveKind = "chart"

// dirPair is a folder of the source environment and its counterpart in
// the target.
type dirPair struct{ from, to string }

// promoteCharts copies chart versions between paired folders, by default:
// the spec.chart.spec.version of each HelmRelease the target declares in a
// file the source has too (same name, same HelmRelease), and the version
// of each helmCharts entry of paired kustomizations. Values are
// environment-specific (host names, sizes): they are not copied unless a
// rule says so, and a difference is noted with the rule that would move it.
func (p *planner) promoteCharts(pairs []dirPair) error {
	for _, pair := range pairs {
		entries, err := fs.ReadDir(p.dst, pair.to)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.IsDir() || (path.Ext(e.Name()) != ".yaml" && path.Ext(e.Name()) != ".yml") {
				continue
			}
			fromFile, toFile := path.Join(pair.from, e.Name()), path.Join(pair.to, e.Name())
			if _, ok, err := exists(p.src, fromFile); err != nil || !ok {
				continue
			}
			src, err := p.sourceYAML(fromFile)
			if err != nil {
				continue // not YAML objects: not ours to edit
			}
			if !slices.ContainsFunc(src.docs, isChartDoc) {
				continue
			}
			dst, err := p.targetYAML(toFile)
			if err != nil {
				return err
			}
			for _, sdoc := range src.docs {
				ddoc := counterpart(dst.docs, sdoc)
				if ddoc == nil {
					continue
				}
				switch {
				case sdoc.GetKind() == "HelmRelease":
					if err := p.copyField(dst, ddoc, sdoc, toFile, "HelmRelease "+sdoc.GetName(), "spec", "chart", "spec", "version"); err != nil {
						return err
					}
					p.noteValues(sdoc, ddoc, fromFile, toFile)
				case isKustomization(sdoc):
					if err := p.helmChartsVersions(dst, sdoc, ddoc, toFile); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func isChartDoc(d *kyaml.RNode) bool { return d.GetKind() == "HelmRelease" || isKustomization(d) }

func isKustomization(d *kyaml.RNode) bool {
	return d.GetKind() == "Kustomization" && d.GetApiVersion() != "" && !isFluxAPI(d.GetApiVersion())
}

func isFluxAPI(v string) bool { return len(v) > 19 && v[:19] == "kustomize.toolkit.f" }

// copyField sets the scalar at fields in the target document to the
// source's, when both have it and they differ.
func (p *planner) copyField(dst *yamlFile, ddoc, sdoc *kyaml.RNode, toFile, what string, fields ...string) error {
	sv, err := sdoc.Pipe(kyaml.Lookup(fields...))
	if err != nil || sv == nil || sv.YNode().Kind != kyaml.ScalarNode {
		return nil
	}
	parent, err := ddoc.Pipe(kyaml.Lookup(fields[:len(fields)-1]...))
	if err != nil || parent == nil {
		p.note("%s: %s sets no %s (it comes from a base); %s's %s is not promoted", toFile, what, dotted(fields), p.from.Name, sv.YNode().Value)
		return nil
	}
	last := fields[len(fields)-1]
	if parent.Field(last) == nil {
		p.note("%s: %s sets no %s (it comes from a base); %s's %s is not promoted", toFile, what, dotted(fields), p.from.Name, sv.YNode().Value)
		return nil
	}
	before := nodeText(parent.Field(last))
	changed, err := dst.setScalar(parent, last, sv.YNode())
	if err != nil {
		return err
	}
	if changed {
		p.move(Move{Kind: MoveChart, File: toFile, Name: what + " " + dotted(fields), Before: before, After: sv.YNode().Value})
	}
	return nil
}

// noteValues says when a HelmRelease's values differ, and how to move them.
func (p *planner) noteValues(sdoc, ddoc *kyaml.RNode, fromFile, toFile string) {
	sv, _ := sdoc.Pipe(kyaml.Lookup("spec", "values"))
	dv, _ := ddoc.Pipe(kyaml.Lookup("spec", "values"))
	if sv == nil && dv == nil {
		return
	}
	st, dt := "", ""
	if sv != nil {
		st = nodeText(&kyaml.MapNode{Value: sv})
	}
	if dv != nil {
		dt = nodeText(&kyaml.MapNode{Value: dv})
	}
	if st == dt {
		return
	}
	for _, r := range p.rules.YAMLPaths {
		if path.Join(p.to.Path, r.File) == toFile || path.Base(r.File) == path.Base(toFile) {
			return // the configuration says what moves in this file
		}
	}
	p.note("HelmRelease %s: spec.values differ between %s and %s; values are environment settings and are not promoted by default (to move some, list them under promotion.yamlPaths: {file: %s, kind: HelmRelease, path: spec.values.<key>})",
		sdoc.GetName(), fromFile, toFile, path.Base(fromFile))
}

// helmChartsVersions copies the version of each helmCharts entry (paired
// by name) of a kustomization.
func (p *planner) helmChartsVersions(dst *yamlFile, sdoc, ddoc *kyaml.RNode, toFile string) error {
	sl, _ := sdoc.Pipe(kyaml.Lookup("helmCharts"))
	dl, _ := ddoc.Pipe(kyaml.Lookup("helmCharts"))
	if sl == nil || dl == nil {
		return nil
	}
	sitems, _ := sl.Elements()
	ditems, _ := dl.Elements()
	for _, s := range sitems {
		name := scalarField(s, "name")
		for _, d := range ditems {
			if scalarField(d, "name") != name {
				continue
			}
			sv := s.Field("version")
			if sv == nil || d.Field("version") == nil {
				continue
			}
			before := nodeText(d.Field("version"))
			changed, err := dst.setScalar(d, "version", sv.Value.YNode())
			if err != nil {
				return err
			}
			if changed {
				p.move(Move{Kind: MoveChart, File: toFile, Name: "helmCharts " + name + " version", Before: before, After: sv.Value.YNode().Value})
			}
		}
	}
	return nil
}

func dotted(fields []string) string {
	s := ""
	for i, f := range fields {
		if i > 0 {
			s += "."
		}
		s += f
	}
	return s
}
