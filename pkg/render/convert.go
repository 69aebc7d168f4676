package render

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/resource"
	sigsyaml "sigs.k8s.io/yaml"
)

// toUnstructured converts a kustomize resource into an object whose values
// are JSON-compatible (int64, float64, string, bool, nil, maps, slices), as
// unstructured.Unstructured requires.
func toUnstructured(res *resource.Resource) (*unstructured.Unstructured, error) {
	m, err := res.Map()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", res.CurId(), err)
	}
	obj, ok := jsonCompatible(m).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a mapping", res.CurId())
	}
	return &unstructured.Unstructured{Object: obj}, nil
}

// jsonCompatible rewrites the Go values a YAML decoder produces into the
// ones encoding/json would, so DeepCopy and conversions work.
func jsonCompatible(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = jsonCompatible(e)
		}
		return t
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[fmt.Sprint(k)] = jsonCompatible(e)
		}
		return out
	case []any:
		for i, e := range t {
			t[i] = jsonCompatible(e)
		}
		return t
	case int:
		return int64(t)
	case int8:
		return int64(t)
	case int16:
		return int64(t)
	case int32:
		return int64(t)
	case uint:
		return uint64ToJSON(uint64(t))
	case uint8:
		return int64(t)
	case uint16:
		return int64(t)
	case uint32:
		return int64(t)
	case uint64:
		return uint64ToJSON(t)
	case float32:
		return float64(t)
	case time.Time:
		return t.Format(time.RFC3339Nano) // as encoding/json writes it
	case []byte:
		return base64.StdEncoding.EncodeToString(t)
	default:
		return v
	}
}

func uint64ToJSON(u uint64) any {
	if u <= 1<<63-1 {
		return int64(u)
	}
	return float64(u)
}

// marshalObjects writes objects the way kustomize separates documents;
// used only for a Result that was not produced by a render.
func marshalObjects(objs []*unstructured.Unstructured) ([]byte, error) {
	var b bytes.Buffer
	for i, o := range objs {
		out, err := sigsyaml.Marshal(o.Object)
		if err != nil {
			return nil, fmt.Errorf("object %d (%s %s): %w", i, o.GetKind(), o.GetName(), err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(out)
	}
	return b.Bytes(), nil
}
