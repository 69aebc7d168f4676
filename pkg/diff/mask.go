package diff

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/provenance"
)

// MaskPrefix starts every masked value.
const MaskPrefix = "*** (hmac:"

// Masker replaces Secret values with keyed hashes (see the package doc). One
// Masker must mask both sides of a comparison so equal values mask equally.
// It is safe for concurrent use.
type Masker struct {
	key []byte
}

// NewMasker returns a Masker keyed with 32 bytes from crypto/rand.
func NewMasker() (*Masker, error) {
	return NewMaskerFrom(rand.Reader)
}

// NewMaskerFrom returns a Masker keyed with 32 bytes read from r (tests pass
// a fixed reader to get stable masks).
func NewMaskerFrom(r io.Reader) (*Masker, error) {
	key := make([]byte, 32)
	if _, err := io.ReadFull(r, key); err != nil {
		return nil, fmt.Errorf("diff: mask key: %w", err)
	}
	return &Masker{key: key}, nil
}

// Value returns the mask of the plaintext value held under name.
func (m *Masker) Value(name string, value []byte) string {
	h := hmac.New(sha256.New, m.key)
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(value)
	return MaskPrefix + hex.EncodeToString(h.Sum(nil))[:12] + ")"
}

// Object returns u with its Secret values masked: a deep copy when u is a
// Secret, u itself otherwise. Values under data are base64-decoded before
// hashing (an undecodable value is hashed as it is).
func (m *Masker) Object(u *unstructured.Unstructured) *unstructured.Unstructured {
	if u == nil || !isSecret(u) {
		return u
	}
	out := u.DeepCopy()
	m.maskMap(out.Object, "data", true)
	m.maskMap(out.Object, "stringData", false)
	ann := out.GetAnnotations()
	if v, ok := ann[provenance.LastAppliedAnnotation]; ok {
		ann[provenance.LastAppliedAnnotation] = m.lastApplied(v)
		out.SetAnnotations(ann)
	}
	return out
}

func (m *Masker) maskMap(obj map[string]any, field string, encoded bool) {
	vals, ok := obj[field].(map[string]any)
	if !ok {
		if _, present := obj[field]; present && obj[field] != nil {
			obj[field] = MaskPrefix + "unreadable)"
		}
		return
	}
	masked := make(map[string]any, len(vals))
	for k, v := range vals {
		s, _ := v.(string)
		raw := []byte(s)
		if encoded {
			if dec, err := base64.StdEncoding.DecodeString(s); err == nil {
				raw = dec
			}
		}
		masked[k] = m.Value(k, raw)
	}
	obj[field] = masked
}

// lastApplied masks the data and stringData inside kubectl's last-applied
// annotation, or the whole value when it is not a JSON object.
func (m *Masker) lastApplied(v string) string {
	var obj map[string]any
	if err := json.Unmarshal([]byte(v), &obj); err != nil {
		return m.Value(provenance.LastAppliedAnnotation, []byte(v))
	}
	m.maskMap(obj, "data", true)
	m.maskMap(obj, "stringData", false)
	b, err := json.Marshal(obj)
	if err != nil {
		return m.Value(provenance.LastAppliedAnnotation, []byte(v))
	}
	return string(b)
}
