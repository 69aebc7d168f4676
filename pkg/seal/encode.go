package seal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

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
		var err error
		if format == FormatJSON {
			err = encodeJSON(&buf, o)
		} else {
			if i > 0 {
				buf.WriteString("---\n")
			}
			err = encodeYAML(&buf, o)
		}
		if err != nil {
			return fmt.Errorf("encoding SealedSecret %s: %w", o.Name, err)
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func encodeJSON(buf *bytes.Buffer, o *ssv1alpha1.SealedSecret) error {
	m, err := toMap(o)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	buf.Write(b)
	buf.WriteByte('\n')
	return nil
}

// emptyEncryptedData is the line sigs.k8s.io/yaml writes for an empty
// spec.encryptedData. Only spec has a child "encryptedData" at indentation
// 2: apiVersion and kind are plain words, and metadata and status are typed.
const emptyEncryptedData = "\n  encryptedData: {}\n"

// encodeYAML writes o as sigs.k8s.io/yaml would, but writes the (large)
// encryptedData section directly instead of through the generic YAML
// emitter, which costs more than the rest of a 1,000-key Secret together.
func encodeYAML(buf *bytes.Buffer, o *ssv1alpha1.SealedSecret) error {
	rest := *o
	rest.Spec.EncryptedData = ssv1alpha1.SealedSecretEncryptedData{}
	m, err := toMap(&rest)
	if err != nil {
		return err
	}
	y, err := yaml.Marshal(m)
	if err != nil {
		return err
	}
	before, after, ok := bytes.Cut(y, []byte(emptyEncryptedData))
	if !ok || len(o.Spec.EncryptedData) == 0 {
		// Without keys there is nothing to splice; without the line (never
		// expected) fall back to the generic emitter.
		if ok {
			buf.Write(y)
			return nil
		}
		full, err := toMap(o)
		if err != nil {
			return err
		}
		if y, err = yaml.Marshal(full); err != nil {
			return err
		}
		buf.Write(y)
		return nil
	}
	size := len(y) + 32
	for k, v := range o.Spec.EncryptedData {
		size += len(k) + len(v) + 8
	}
	buf.Grow(size)
	buf.Write(before)
	buf.WriteString("\n  encryptedData:\n")
	keys := make([]string, 0, len(o.Spec.EncryptedData))
	for k := range o.Spec.EncryptedData {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return yamlKeyLess(keys[i], keys[j]) })
	for _, k := range keys {
		buf.WriteString("    ")
		if err := writeScalar(buf, k, plainKey(k)); err != nil {
			return err
		}
		buf.WriteString(": ")
		if err := writeScalar(buf, o.Spec.EncryptedData[k], plainBase64(o.Spec.EncryptedData[k])); err != nil {
			return err
		}
		buf.WriteByte('\n')
	}
	buf.Write(after)
	return nil
}

// writeScalar writes s plain when plain, else as the YAML library quotes
// it, or double-quoted (JSON escapes are YAML escapes) where the library
// would write a multi-line block.
func writeScalar(buf *bytes.Buffer, s string, plain bool) error {
	if plain {
		buf.WriteString(s)
		return nil
	}
	q, err := yaml.Marshal(s)
	if err != nil {
		return err
	}
	q = bytes.TrimSuffix(q, []byte("\n"))
	if bytes.ContainsRune(q, '\n') {
		if q, err = json.Marshal(s); err != nil {
			return err
		}
	}
	buf.Write(q)
	return nil
}

// yaml11Words are the plain words YAML 1.1 reads as booleans or null.
var yaml11Words = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL") {
		m[w] = true
	}
	return m
}()

// plainKey reports whether a Secret key can be written as a plain YAML
// scalar: it starts with a letter or '_', holds only [-._a-zA-Z0-9], and is
// not a YAML 1.1 boolean or null. Anything else goes through the library.
func plainKey(k string) bool {
	if k == "" || yaml11Words[k] {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// plainBase64 reports whether v is base64 that starts with a letter (every
// HybridEncrypt output does: its first bytes are the RSA length, 0x01..0x02),
// so that it reads back as the same string when written plain.
func plainBase64(v string) bool {
	if v == "" || !(v[0] >= 'A' && v[0] <= 'Z' || v[0] >= 'a' && v[0] <= 'z') || yaml11Words[v] {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !base64Chars[v[i]] {
			return false
		}
	}
	return true
}

// base64Chars marks the bytes of the standard base64 alphabet and '='.
var base64Chars = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") {
		t[c] = true
	}
	return t
}()

// toMap turns o into a JSON-shaped map without null timestamps.
func toMap(o *ssv1alpha1.SealedSecret) (map[string]any, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
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
