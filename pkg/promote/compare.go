package promote

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/gitward/gitward/pkg/expand"
	"github.com/gitward/gitward/pkg/render"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// maxListed bounds the differences a "nothing to promote" lists.
const maxListed = 8

// fluxPairs pairs the folders the Flux Kustomizations of the two
// environments deploy, by Kustomization name, when they differ
// (clusters/staging's "apps" deploys apps/staging, production's
// apps/production). It needs the renderer; without one it pairs nothing.
func (p *planner) fluxPairs() ([]dirPair, error) {
	if p.render == nil {
		return nil, nil
	}
	from := expand.FluxPaths(p.ctx, p.src, p.from.Path)
	to := expand.FluxPaths(p.ctx, p.dst, p.to.Path)
	var out []dirPair
	for _, name := range slices.Sorted(mapsKeys(from)) {
		if t, ok := to[name]; ok && t != from[name] {
			out = append(out, dirPair{from: from[name], to: t})
		}
	}
	return out, nil
}

// leftDifferences renders both environments and lists what still
// differs (objects and fields), with why it stays; "" when the renderings
// match or there is no renderer.
func (p *planner) leftDifferences() string {
	if p.render == nil {
		return ""
	}
	from, ferr := p.render(p.ctx, p.src, p.from.Path, render.Options{SkipYAML: true})
	to, terr := p.render(p.ctx, p.dst, p.to.Path, render.Options{SkipYAML: true})
	if ferr != nil || terr != nil {
		return fmt.Sprintf(";\nthe renderings were not compared: %v", firstErr(ferr, terr))
	}
	lines := compareObjects(from.Objects, to.Objects, p.from.Name, p.to.Name)
	if len(lines) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, ";\nthe renderings still differ, and these differences stay (environment settings: promotion moves images and chart versions; list a field under promotion.yamlPaths, or a file under promotion.files, to move it):")
	for i, l := range lines {
		if i == maxListed {
			fmt.Fprintf(&b, "\n  … and %d more", len(lines)-maxListed)
			break
		}
		b.WriteString("\n  " + l)
	}
	return b.String()
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// compareObjects pairs objects by kind, namespace and name (falling back
// to kind and name, as environments often differ by namespace) and lists
// the differing fields.
func compareObjects(from, to []*unstructured.Unstructured, fromName, toName string) []string {
	key := func(u *unstructured.Unstructured, ns bool) string {
		k := u.GetAPIVersion() + "/" + u.GetKind() + "/" + u.GetName()
		if ns {
			k += "@" + u.GetNamespace()
		}
		return k
	}
	byFull, byName := map[string]*unstructured.Unstructured{}, map[string]*unstructured.Unstructured{}
	for _, u := range to {
		byFull[key(u, true)] = u
		byName[key(u, false)] = u
	}
	used := map[*unstructured.Unstructured]bool{}
	var out []string
	for _, f := range from {
		t := byFull[key(f, true)]
		if t == nil {
			t = byName[key(f, false)]
		}
		if t == nil || used[t] {
			out = append(out, fmt.Sprintf("%s: only in %s", describeObj(f), fromName))
			continue
		}
		used[t] = true
		var fields []string
		leafDiff(f.Object, t.Object, "", &fields)
		// An environment's namespace is its own by design.
		fields = slices.DeleteFunc(fields, func(s string) bool { return strings.HasPrefix(s, "metadata.namespace:") })
		for _, fd := range fields {
			out = append(out, describeObj(t)+" "+fd)
		}
	}
	for _, t := range to {
		if !used[t] {
			out = append(out, fmt.Sprintf("%s: only in %s", describeObj(t), toName))
		}
	}
	return out
}

// leafDiff appends "field: a → b" for each differing field (a list
// counts as one field).
func leafDiff(a, b any, prefix string, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			leafDiff(am[k], bm[k], p, out)
		}
		return
	}
	if reflect.DeepEqual(a, b) {
		return
	}
	*out = append(*out, fmt.Sprintf("%s: %s → %s", prefix, shortValue(a), shortValue(b)))
}

// shortValue is a value as one short line.
func shortValue(v any) string {
	if v == nil {
		return "(none)"
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(string(b))
	if _, isMap := v.(map[string]any); isMap || strings.Contains(s, "\n") {
		j, _ := yaml.YAMLToJSON(b)
		s = string(j)
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

func describeObj(u *unstructured.Unstructured) string {
	if u.GetNamespace() != "" {
		return u.GetKind() + " " + u.GetNamespace() + "/" + u.GetName()
	}
	return u.GetKind() + " " + u.GetName()
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
