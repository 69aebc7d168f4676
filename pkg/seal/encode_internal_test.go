package seal

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// TestEncodeYAMLMatchesLibrary checks that the fast encryptedData writer
// gives what the generic YAML emitter gives, byte for byte, and that
// awkward keys and values read back unchanged.
func TestEncodeYAMLMatchesLibrary(t *testing.T) {
	ct := "AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq=="
	tests := []struct {
		name      string
		data      map[string]string
		readsBack bool // same content, not the same bytes
	}{
		{name: "common keys", data: map[string]string{"password": ct, "tls.crt": ct, "API_KEY": ct, "a-b_c.d": ct, "_x": ct}},
		{name: "natural order", data: map[string]string{"key-2": ct, "key-10": ct, "key-010": ct, "key-01": ct, "k0": ct, "k00": ct, "Z": ct, "a": ct, "a1b": ct, "a1.b": ct, "ä": ct, "key-0001": ct, "key-0010": ct, "key-0100": ct}},
		{name: "YAML 1.1 words and numbers", data: map[string]string{"yes": ct, "on": ct, "N": ct, "null": ct, "1": ct, "1.5": ct, "0x1F": ct, ".inf": ct, "-": ct, "e1": ct}},
		{name: "odd values", data: map[string]string{"k1": "true", "k2": "123", "k3": "", "k4": "a: b", "k5": "#x", "k6": "-x"}},
		{name: "multi-line value", data: map[string]string{"k": "multi\nline", "k2": ct}, readsBack: true},
		{name: "no keys", data: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := &ssv1alpha1.SealedSecret{
				TypeMeta: metav1.TypeMeta{APIVersion: "bitnami.com/v1alpha1", Kind: "SealedSecret"},
				ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "prod",
					Annotations: map[string]string{"x": "\n  encryptedData: {}\n"}},
				Spec: ssv1alpha1.SealedSecretSpec{
					EncryptedData: tt.data,
					Template: ssv1alpha1.SecretTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"encryptedData": "{}"}},
						Data:       map[string]string{"t": "{{ .password }}"},
					},
				},
			}
			var got bytes.Buffer
			if err := encodeYAML(&got, ss); err != nil {
				t.Fatalf("encodeYAML: %v", err)
			}
			m, err := toMap(ss)
			if err != nil {
				t.Fatal(err)
			}
			want, err := yaml.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.readsBack && got.String() != string(want) {
				t.Errorf("encodeYAML differs from sigs.k8s.io/yaml:\n--- got\n%s\n--- want\n%s", got.String(), want)
			}
			back, _, err := DecodeSealedSecret(got.Bytes(), "out")
			if err != nil {
				t.Fatalf("reading back: %v", err)
			}
			for k, v := range tt.data {
				if back.Spec.EncryptedData[k] != v {
					t.Errorf("key %q read back as %q, want %q", k, back.Spec.EncryptedData[k], v)
				}
			}
		})
	}
}

// TestYAMLKeyOrderRandom compares yamlKeyLess with the YAML library on
// many generated keys of the usual shape: a name and an optional number
// ("db_password", "key-12"). yaml.v2's order is not transitive for every
// key set ("-9Bb9" < "-11b" < "-91" < "-9Bb9"), and for such sets the
// library's own output depends on map iteration order, so there is no one
// answer to match.
func TestYAMLKeyOrderRandom(t *testing.T) {
	const letters = "abAB_-."
	rng := rand.New(rand.NewPCG(1, 2))
	data := map[string]string{}
	for len(data) < 500 {
		k := make([]byte, 1+rng.IntN(4))
		for i := range k {
			k[i] = letters[rng.IntN(len(letters))]
		}
		key := string(k)
		if rng.IntN(3) > 0 {
			key = fmt.Sprintf("%s%d", key, 1+rng.IntN(300))
		}
		data[key] = "AgB" + key[0:1]
	}
	ss := &ssv1alpha1.SealedSecret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "bitnami.com/v1alpha1", Kind: "SealedSecret"},
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "prod"},
		Spec:       ssv1alpha1.SealedSecretSpec{EncryptedData: data},
	}
	var got bytes.Buffer
	if err := encodeYAML(&got, ss); err != nil {
		t.Fatal(err)
	}
	m, _ := toMap(ss)
	want, _ := yaml.Marshal(m)
	if got.String() != string(want) {
		t.Errorf("encodeYAML differs from sigs.k8s.io/yaml on generated keys:\n--- got\n%s\n--- want\n%s", got.String(), want)
	}
}
