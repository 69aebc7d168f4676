package helm

import (
	"fmt"

	"sigs.k8s.io/yaml"
)

// ParseValues decodes one values document as `helm template -f` does
// (sigs.k8s.io/yaml into a map, so numbers are float64 as in Helm), after
// bounding its size, and then its depth and node count (YAML anchors can
// expand a small file into a huge tree). name labels errors.
func ParseValues(data []byte, name string, lim Limits) (map[string]any, error) {
	lim = lim.withDefaults()
	if over(int64(len(data)), lim.ValuesBytes) {
		return nil, fmt.Errorf("values %s: %d bytes, more than %d: %w", name, len(data), lim.ValuesBytes, ErrTooLarge)
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("failed to parse %s: %w", name, err)
	}
	if err := checkTree(m, lim); err != nil {
		return nil, fmt.Errorf("values %s: %w", name, err)
	}
	return m, nil
}

// checkTree bounds the depth and node count of a decoded values tree.
func checkTree(v any, lim Limits) error {
	nodes := 0
	var walk func(v any, depth int) error
	walk = func(v any, depth int) error {
		if nodes++; over(nodes, lim.ValuesNodes) {
			return fmt.Errorf("more than %d values: %w", lim.ValuesNodes, ErrTooLarge)
		}
		if over(depth, lim.ValuesDepth) {
			return fmt.Errorf("nested more than %d deep: %w", lim.ValuesDepth, ErrTooLarge)
		}
		switch t := v.(type) {
		case map[string]any:
			for _, e := range t {
				if err := walk(e, depth+1); err != nil {
					return err
				}
			}
		case []any:
			for _, e := range t {
				if err := walk(e, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(v, 0)
}

// mergeValues merges b into a as `helm template -f a -f b` does
// (pkg/cli/values.mergeMaps): maps merge key by key, anything else in b
// replaces a's value.
func mergeValues(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if v, ok := v.(map[string]any); ok {
			if bv, ok := out[k]; ok {
				if bv, ok := bv.(map[string]any); ok {
					out[k] = mergeValues(bv, v)
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}
