package diff

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Manager is a field manager that owns fields that differ.
type Manager struct {
	// Name is the field manager: "kubectl-edit", "gitward", "kube-controller-manager".
	Name string `json:"manager"`
	// Operation is "Apply" or "Update".
	Operation string `json:"operation"`
	// Subresource is "" or, for example, "status" or "scale".
	Subresource string `json:"subresource,omitempty"`
	// Fields are the differing fields it owns, like ".spec.replicas".
	Fields []string `json:"fields"`
}

// attribute names, for each differing path of a live object, the managed
// fields entries of live that own it (or a field beneath it).
func attribute(live *unstructured.Unstructured, paths []path) []Manager {
	entries := live.GetManagedFields()
	if len(entries) == 0 || len(paths) == 0 {
		return nil
	}
	var out []Manager
	for _, e := range entries {
		if e.FieldsV1 == nil {
			continue
		}
		var set map[string]any
		if err := json.Unmarshal(e.FieldsV1.GetRawBytes(), &set); err != nil {
			continue
		}
		var fields []string
		for _, p := range paths {
			if owns(set, live.Object, p) {
				fields = append(fields, p.String())
			}
		}
		if len(fields) == 0 {
			continue
		}
		out = appendManager(out, e, fields)
	}
	slices.SortFunc(out, func(a, b Manager) int { return strings.Compare(a.Name+a.Operation, b.Name+b.Operation) })
	return out
}

func appendManager(out []Manager, e metav1.ManagedFieldsEntry, fields []string) []Manager {
	for i := range out {
		if out[i].Name == e.Manager && out[i].Operation == string(e.Operation) && out[i].Subresource == e.Subresource {
			for _, f := range fields {
				if !slices.Contains(out[i].Fields, f) {
					out[i].Fields = append(out[i].Fields, f)
				}
			}
			return out
		}
	}
	return append(out, Manager{Name: e.Manager, Operation: string(e.Operation), Subresource: e.Subresource, Fields: fields})
}

// owns walks a FieldsV1 set along p through the live object obj and reports
// whether the set holds the field at p or a field beneath it.
func owns(set map[string]any, obj any, p path) bool {
	node := set
	for _, e := range p {
		var next map[string]any
		switch e := e.(type) {
		case string:
			next = child(node, "f:"+e)
			if m, ok := obj.(map[string]any); ok {
				obj = m[e]
			} else {
				obj = nil
			}
		case int:
			list, _ := obj.([]any)
			if e >= len(list) {
				return false
			}
			el := list[e]
			next = listChild(node, el, e)
			obj = el
		}
		if next == nil {
			return false
		}
		node = next
	}
	return true
}

func child(node map[string]any, key string) map[string]any {
	v, ok := node[key]
	if !ok {
		return nil
	}
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// listChild finds the entry of node that names the list element el at index
// i: by its key fields ("k:"), its value ("v:") or its index ("i:").
func listChild(node map[string]any, el any, i int) map[string]any {
	for k := range node {
		switch {
		case strings.HasPrefix(k, "k:"):
			var key map[string]any
			if json.Unmarshal([]byte(k[2:]), &key) == nil && keyMatches(el, key) {
				return child(node, k)
			}
		case strings.HasPrefix(k, "v:"):
			var v any
			if json.Unmarshal([]byte(k[2:]), &v) == nil && equalValues(v, el) {
				return child(node, k)
			}
		case k == "i:"+strconv.Itoa(i):
			return child(node, k)
		}
	}
	return nil
}

func keyMatches(el any, key map[string]any) bool {
	m, ok := el.(map[string]any)
	if !ok {
		return false
	}
	for k, want := range key {
		if !equalValues(m[k], want) {
			return false
		}
	}
	return true
}
