package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// handManagers are the field managers of people's tools, by prefix: kubectl
// (create, edit, patch, label, client-side and server-side apply), Helm,
// and the entry the API server makes when it first converts an object's
// last-applied annotation.
var handManagers = []string{"kubectl", "helm", "before-first-apply"}

// isHandManager reports whether e was written by a person's tool.
func isHandManager(e metav1.ManagedFieldsEntry) bool {
	if e.Subresource != "" {
		return false
	}
	for _, p := range handManagers {
		if e.Manager == p || strings.HasPrefix(e.Manager, p+"-") {
			return true
		}
	}
	return false
}

// takeOver makes an adopted object exactly Git's: the fields people's tools
// set (handManagers) become the applier's, by moving their managedFields
// entries into its apply entry, and the object is applied again, which
// removes what Git does not declare (a sidecar added by hand, a label Helm
// set). Fields of controllers and other managers are left to them. It
// returns the managers whose fields were taken over.
func (a *Applier) takeOver(ctx context.Context, it *item, out *metav1.PartialObjectMetadata) ([]string, error) {
	entries, taken, err := a.mergedEntries(out.ManagedFields)
	if err != nil || len(taken) == 0 {
		return nil, err
	}
	patch, err := json.Marshal([]map[string]any{
		{"op": "test", "path": "/metadata/resourceVersion", "value": out.ResourceVersion},
		{"op": "replace", "path": "/metadata/managedFields", "value": entries},
	})
	if err != nil {
		return nil, err
	}
	if _, err := a.metaResource(it).Patch(ctx, it.ref.Name, types.JSONPatchType, patch,
		metav1.PatchOptions{FieldManager: a.o.FieldManager}); err != nil {
		return nil, fmt.Errorf("take over the fields of %s: %w", strings.Join(taken, ", "), err)
	}
	if _, err := a.apply(ctx, it); err != nil {
		return nil, err
	}
	return taken, nil
}

// mergedEntries returns entries with those of hand managers merged into
// the applier's apply entry, and the managers merged.
func (a *Applier) mergedEntries(entries []metav1.ManagedFieldsEntry) ([]metav1.ManagedFieldsEntry, []string, error) {
	own := -1
	for i, e := range entries {
		if e.Manager == a.o.FieldManager && e.Operation == metav1.ManagedFieldsOperationApply && e.Subresource == "" {
			own = i
		}
	}
	if own < 0 {
		return nil, nil, nil
	}
	tree := map[string]any{}
	if err := unmarshalFields(entries[own], tree); err != nil {
		return nil, nil, err
	}
	var out []metav1.ManagedFieldsEntry
	var taken []string
	for i, e := range entries {
		if i == own {
			continue
		}
		if !isHandManager(e) {
			out = append(out, e)
			continue
		}
		if err := unmarshalFields(e, tree); err != nil {
			return nil, nil, err
		}
		taken = append(taken, e.Manager)
	}
	if len(taken) == 0 {
		return nil, nil, nil
	}
	raw, err := json.Marshal(tree)
	if err != nil {
		return nil, nil, err
	}
	mine := entries[own]
	mine.FieldsV1 = &metav1.FieldsV1{Raw: raw}
	return append([]metav1.ManagedFieldsEntry{mine}, out...), taken, nil
}

// unmarshalFields merges e's fieldsV1 tree into tree.
func unmarshalFields(e metav1.ManagedFieldsEntry, tree map[string]any) error {
	if e.FieldsV1 == nil {
		return nil
	}
	var t map[string]any
	if err := json.Unmarshal(e.FieldsV1.GetRawBytes(), &t); err != nil {
		return fmt.Errorf("managedFields of %s: %w", e.Manager, err)
	}
	mergeFields(tree, t)
	return nil
}

func mergeFields(dst, src map[string]any) {
	for k, v := range src {
		sv, _ := v.(map[string]any)
		dv, ok := dst[k].(map[string]any)
		if !ok {
			dv = map[string]any{}
			dst[k] = dv
		}
		mergeFields(dv, sv)
	}
}
