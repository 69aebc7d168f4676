package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// ReadSecrets reads every Secret in r: YAML (one or more documents) or JSON
// (one or more objects). Empty documents are skipped; a document of another
// kind is refused with ErrNotSecret, and no document at all with
// ErrNoSecrets. source names the input in errors ("stdin", a file path).
//
// Decoding errors never quote the input: they carry the document number and
// a position, not the text around it.
func ReadSecrets(r io.Reader, source string) ([]*corev1.Secret, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	var out []*corev1.Secret
	for doc := 1; ; doc++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("%s: document %d: %s", source, doc, safeDecodeError(err))
		}
		if t := bytes.TrimSpace(raw); len(t) == 0 || bytes.Equal(t, []byte("null")) {
			continue
		}
		var tm metav1.TypeMeta
		if err := json.Unmarshal(raw, &tm); err != nil {
			return nil, fmt.Errorf("%s: document %d: %s", source, doc, safeDecodeError(err))
		}
		if (tm.Kind != "" && tm.Kind != "Secret") || (tm.APIVersion != "" && tm.APIVersion != "v1") {
			return nil, fmt.Errorf("%s: document %d: %w: found apiVersion %q kind %q",
				source, doc, ErrNotSecret, tm.APIVersion, tm.Kind)
		}
		s := &corev1.Secret{}
		if err := json.Unmarshal(raw, s); err != nil {
			return nil, fmt.Errorf("%s: document %d: %s", source, doc, safeDecodeError(err))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w: expected a v1 Secret in YAML or JSON", source, ErrNoSecrets)
	}
	return out, nil
}

// backquoted matches the `…` segments YAML type errors use to quote values.
var backquoted = regexp.MustCompile("`[^`]*`")

// safeDecodeError describes a decoding error without quoting the input,
// which may be a Secret value.
func safeDecodeError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var b64 base64.CorruptInputError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("not valid JSON (syntax error at byte offset %d)", syn.Offset)
	case errors.As(err, &typ):
		// Value is "number 1234" for numbers: keep the kind, drop the digits.
		kind, _, _ := strings.Cut(typ.Value, " ")
		return fmt.Sprintf("field %q: expected %s, found a JSON %s", typ.Field, typ.Type, kind)
	case errors.As(err, &b64):
		return fmt.Sprintf("a data value is not valid base64 (at byte %d of the value); put plain text under stringData instead", int64(b64))
	default:
		return "not valid YAML or JSON: " + backquoted.ReplaceAllString(err.Error(), "`…`")
	}
}
