package seal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Output formats.
const (
	FormatYAML = "yaml"
	FormatJSON = "json"
)

// Formats lists the output formats Encode takes.
var Formats = []string{FormatYAML, FormatJSON}

// ValidateFormat refuses a format other than yaml or json.
func ValidateFormat(format string) error {
	if format != FormatYAML && format != FormatJSON {
		return fmt.Errorf("%w %q: use yaml or json", ErrInvalidFormat, format)
	}
	return nil
}

// Encode writes the SealedSecrets to w: YAML documents separated by "---",
// or indented JSON objects one after another. Null creation timestamps and
// an absent status are left out.
func Encode(w io.Writer, format string, objs ...*ssv1alpha1.SealedSecret) error {
	if err := ValidateFormat(format); err != nil {
		return err
	}
	var buf bytes.Buffer
	for i, o := range objs {
		m, err := toMap(o)
		if err != nil {
			return err
		}
		if format == FormatJSON {
			b, err := json.MarshalIndent(m, "", "  ")
			if err != nil {
				return fmt.Errorf("encoding SealedSecret %s: %w", o.Name, err)
			}
			buf.Write(b)
			buf.WriteByte('\n')
			continue
		}
		b, err := yaml.Marshal(m)
		if err != nil {
			return fmt.Errorf("encoding SealedSecret %s: %w", o.Name, err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// toMap turns o into a JSON-shaped map without null timestamps.
func toMap(o *ssv1alpha1.SealedSecret) (map[string]any, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encoding SealedSecret %s: %w", o.Name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("encoding SealedSecret %s: %w", o.Name, err)
	}
	dropNullTimestamp(m)
	if spec, ok := m["spec"].(map[string]any); ok {
		if tmpl, ok := spec["template"].(map[string]any); ok {
			dropNullTimestamp(tmpl)
			if md, ok := tmpl["metadata"].(map[string]any); ok && len(md) == 0 {
				delete(tmpl, "metadata")
			}
		}
	}
	return m, nil
}

func dropNullTimestamp(obj map[string]any) {
	if md, ok := obj["metadata"].(map[string]any); ok {
		if v, ok := md["creationTimestamp"]; ok && v == nil {
			delete(md, "creationTimestamp")
		}
	}
}

// DecodeSealedSecret reads exactly one bitnami.com/v1alpha1 SealedSecret
// (YAML or JSON) from data and reports whether it was JSON. source names
// the input in errors.
func DecodeSealedSecret(data []byte, source string) (*ssv1alpha1.SealedSecret, string, error) {
	format := FormatYAML
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		format = FormatJSON
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var found *ssv1alpha1.SealedSecret
	for doc := 1; ; doc++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, "", fmt.Errorf("%s: document %d: %s", source, doc, safeDecodeError(err))
		}
		if t := bytes.TrimSpace(raw); len(t) == 0 || bytes.Equal(t, []byte("null")) {
			continue
		}
		if found != nil {
			return nil, "", fmt.Errorf("%s: %w: the file holds more than one document; --merge-into needs exactly one SealedSecret", source, ErrNotSealedSecret)
		}
		ss := &ssv1alpha1.SealedSecret{}
		if err := json.Unmarshal(raw, ss); err != nil {
			return nil, "", fmt.Errorf("%s: document %d: %s", source, doc, safeDecodeError(err))
		}
		if ss.Kind != "SealedSecret" || ss.APIVersion != ssv1alpha1.SchemeGroupVersion.String() {
			return nil, "", fmt.Errorf("%s: document %d: %w: found apiVersion %q kind %q, want %s SealedSecret",
				source, doc, ErrNotSealedSecret, ss.APIVersion, ss.Kind, ssv1alpha1.SchemeGroupVersion)
		}
		found = ss
	}
	if found == nil {
		return nil, "", fmt.Errorf("%s: %w: the file is empty", source, ErrNotSealedSecret)
	}
	return found, format, nil
}
