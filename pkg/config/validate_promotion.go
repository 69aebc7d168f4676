package config

import (
	"fmt"
	"strings"
)

// validatePromotionRules checks promotion.configMapLiterals and
// promotion.yamlPaths.
func (d *document) validatePromotionRules() {
	l := d.list
	seen := map[string]string{}
	for i, c := range d.literals {
		f := fmt.Sprintf("promotion.configMapLiterals[%d]", i)
		if c.Name == "" {
			l.add(f+".name", ErrInvalidValue, "missing; name the configMapGenerator entry whose literals are promoted")
		} else if first, dup := seen[c.Name]; dup {
			l.add(f+".name", ErrDuplicate, "configMapGenerator %q is listed twice (first at %s)", c.Name, first)
		} else {
			seen[c.Name] = fmt.Sprintf("line %d", l.lookup(f+".name").line)
		}
		for j, k := range c.Keys {
			if k == "" || strings.ContainsAny(k, "= \t") {
				l.add(fmt.Sprintf("%s.keys[%d]", f, j), ErrInvalidValue, "%q is not a literal key; want the part before \"=\" of a KEY=value literal", k)
			}
		}
	}
	for i, y := range d.yamlPaths {
		f := fmt.Sprintf("promotion.yamlPaths[%d]", i)
		validatePath(l, f+".file", y.File, false)
		if y.Path == "" || strings.HasPrefix(y.Path, ".") || strings.HasSuffix(y.Path, ".") || strings.Contains(y.Path, "..") {
			l.add(f+".path", ErrInvalidValue, "%q is not a field path; write it dotted, like spec.chart.spec.version or spec.template.spec.containers[name=app].image", y.Path)
		}
	}
}
