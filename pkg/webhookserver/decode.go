package webhookserver

import (
	"bytes"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kjson "sigs.k8s.io/json"
)

// decodeObject decodes an embedded object (object or oldObject, named by
// what) into an Unstructured, once, with the decoder the API server uses
// for unstructured objects: keys are case-sensitive and integers stay
// int64, so Git's "replicas: 3" and the request's 3 compare equal at the
// leaves. An absent or null object is nil.
func decodeObject(raw []byte, what string) (*unstructured.Unstructured, error) {
	if isNull(raw) {
		return nil, nil
	}
	var m map[string]any
	if err := kjson.UnmarshalCaseSensitivePreserveInts(raw, &m); err != nil {
		return nil, fmt.Errorf("admission request %s does not decode as a JSON object: %w", what, err)
	}
	if m == nil {
		return nil, nil
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// requestOptions is the one member of CreateOptions, UpdateOptions and
// PatchOptions the decision reads; the rest of options is not decoded.
type requestOptions struct {
	FieldManager string `json:"fieldManager"`
}

// fieldManagerOf returns the field manager that an AdmissionRequest's
// options name ("" when they name none, or for DeleteOptions).
func fieldManagerOf(raw []byte) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var o requestOptions
	if err := kjson.UnmarshalCaseSensitivePreserveInts(raw, &o); err != nil {
		return "", fmt.Errorf("admission request options do not decode as a JSON object: %w", err)
	}
	return o.FieldManager, nil
}

// isNull reports whether raw holds no value: absent, or JSON null.
func isNull(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}
