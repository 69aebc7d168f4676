package seal_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitward/gitward/pkg/seal"
	"github.com/gitward/gitward/pkg/seal/sealtest"
)

var (
	keyOnce sync.Once
	testKP  *sealtest.KeyPair
)

// keyPair returns one key pair for the whole package: RSA key generation is slow.
func keyPair(t *testing.T) *sealtest.KeyPair {
	keyOnce.Do(func() { testKP = sealtest.NewKeyPair(t, sealtest.CertOptions{}) })
	return testKP
}

func sealer(t *testing.T) *seal.Sealer {
	return &seal.Sealer{Key: &keyPair(t).Key.PublicKey, Workers: 4}
}

// secret is a fixture: a Secret in prod with the given data.
func secret(name, namespace string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{},
	}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func scopePtr(s seal.Scope) *seal.Scope { return &s }

// moved returns a copy of ss renamed/moved as a person might do in Git.
func moved(ss *ssv1alpha1.SealedSecret, namespace, name string) *ssv1alpha1.SealedSecret {
	c := ss.DeepCopy()
	c.Namespace, c.Name = namespace, name
	return c
}

func TestSealScopes(t *testing.T) {
	ctx := context.Background()
	data := map[string]string{"user": "admin", "password": plaintext}
	tests := []struct {
		name       string
		scope      *seal.Scope
		annotation string
		opensAs    map[string]bool // "ns/name" -> opens
	}{
		{name: "strict by default", opensAs: map[string]bool{"prod/db": true, "prod/other": false, "dev/db": false}},
		{name: "strict flag", scope: scopePtr(seal.Strict), opensAs: map[string]bool{"prod/db": true, "prod/other": false}},
		{name: "namespace-wide", scope: scopePtr(seal.NamespaceWide), opensAs: map[string]bool{"prod/db": true, "prod/other": true, "dev/db": false}},
		{name: "cluster-wide", scope: scopePtr(seal.ClusterWide), opensAs: map[string]bool{"prod/db": true, "dev/other": true}},
		{name: "namespace-wide from annotation", annotation: ssv1alpha1.SealedSecretNamespaceWideAnnotation, opensAs: map[string]bool{"prod/other": true, "dev/db": false}},
		{name: "flag overrides annotation", scope: scopePtr(seal.Strict), annotation: ssv1alpha1.SealedSecretClusterWideAnnotation, opensAs: map[string]bool{"prod/db": true, "dev/db": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := secret("db", "prod", data)
			if tt.annotation != "" {
				in.Annotations = map[string]string{tt.annotation: "true"}
			}
			ss, err := sealer(t).Seal(ctx, in, seal.SealOptions{Scope: tt.scope})
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			if strings.Contains(fmt.Sprint(ss), plaintext) {
				t.Fatalf("the SealedSecret holds the plaintext")
			}
			for target, wantOpen := range tt.opensAs {
				ns, name, _ := strings.Cut(target, "/")
				got, err := keyPair(t).Unseal(moved(ss, ns, name))
				if !wantOpen {
					if err == nil {
						t.Errorf("%s: the controller opened it, want a decryption error", target)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: Unseal: %v", target, err)
				}
				for k, v := range data {
					if string(got.Data[k]) != v {
						t.Errorf("%s: key %q = %q, want %q", target, k, got.Data[k], v)
					}
				}
			}
		})
	}
}

func TestSealShape(t *testing.T) {
	in := secret("db", "prod", map[string]string{"a": "1"})
	in.StringData = map[string]string{"a": "2", "b": "3"}
	in.Labels = map[string]string{"app": "db"}
	in.Annotations = map[string]string{
		"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"a":"` + plaintext + `"}}`,
		"keep": "me",
	}
	in.UID, in.ResourceVersion = "uid-1", "42"
	in.OwnerReferences = []metav1.OwnerReference{{Name: "owner"}}
	immutable := true
	in.Immutable = &immutable

	ss, err := sealer(t).Seal(context.Background(), in, seal.SealOptions{Scope: scopePtr(seal.NamespaceWide)})
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if in.Annotations["kubectl.kubernetes.io/last-applied-configuration"] == "" {
		t.Errorf("Seal modified its input")
	}
	tm := ss.Spec.Template
	switch {
	case ss.Kind != "SealedSecret" || ss.APIVersion != "bitnami.com/v1alpha1":
		t.Errorf("kind %s/%s", ss.APIVersion, ss.Kind)
	case ss.Annotations[ssv1alpha1.SealedSecretNamespaceWideAnnotation] != "true":
		t.Errorf("scope annotation missing: %v", ss.Annotations)
	case tm.Annotations["kubectl.kubernetes.io/last-applied-configuration"] != "":
		t.Errorf("the last-applied annotation (plaintext) was kept")
	case tm.Annotations["keep"] != "me" || tm.Labels["app"] != "db":
		t.Errorf("template metadata lost labels or annotations: %+v", tm.ObjectMeta)
	case tm.UID != "" || tm.ResourceVersion != "" || tm.OwnerReferences != nil:
		t.Errorf("server-set metadata kept: %+v", tm.ObjectMeta)
	case tm.Immutable == nil || !*tm.Immutable || tm.Type != corev1.SecretTypeOpaque:
		t.Errorf("type/immutable not kept")
	case len(ss.Spec.EncryptedData) != 2:
		t.Errorf("encrypted keys %d, want 2", len(ss.Spec.EncryptedData))
	}
	got, err := keyPair(t).Unseal(ss)
	if err != nil {
		t.Fatalf("Unseal: %v", err)
	}
	if string(got.Data["a"]) != "2" || string(got.Data["b"]) != "3" {
		t.Errorf("stringData should win over data: %q", got.Data)
	}
}

func TestSealRefuses(t *testing.T) {
	tests := []struct {
		name    string
		in      *corev1.Secret
		o       seal.SealOptions
		wantErr error
		wantIn  string
	}{
		{name: "no name, strict", in: secret("", "prod", map[string]string{"k": plaintext}), wantErr: seal.ErrMissingName, wantIn: "Secret prod/<unnamed>: missing name"},
		{name: "no namespace, strict", in: secret("db", "", map[string]string{"k": plaintext}), wantErr: seal.ErrMissingNamespace, wantIn: "-n/--namespace"},
		{name: "no namespace, namespace-wide", in: secret("db", "", map[string]string{"k": "v"}), o: seal.SealOptions{Scope: scopePtr(seal.NamespaceWide)}, wantErr: seal.ErrMissingNamespace},
		{name: "no data", in: secret("db", "prod", nil), wantErr: seal.ErrEmptySecret, wantIn: "--allow-empty-data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sealer(t).Seal(context.Background(), tt.in, tt.o)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Seal: error %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantIn) || strings.Contains(err.Error(), plaintext) {
				t.Errorf("error %q: want it to contain %q and no plaintext", err, tt.wantIn)
			}
		})
	}
	// Allowed: no name or namespace under cluster-wide scope, no data when asked.
	if _, err := sealer(t).Seal(context.Background(), secret("db", "", map[string]string{"k": "v"}), seal.SealOptions{Scope: scopePtr(seal.ClusterWide)}); err != nil {
		t.Errorf("cluster-wide without namespace: %v", err)
	}
	if _, err := sealer(t).Seal(context.Background(), secret("db", "prod", nil), seal.SealOptions{AllowEmptyData: true}); err != nil {
		t.Errorf("empty data allowed: %v", err)
	}
}

func TestSealManyValuesConcurrently(t *testing.T) {
	data := map[string]string{}
	for i := range 200 {
		data[fmt.Sprintf("key-%03d", i)] = fmt.Sprintf("value-%d", i)
	}
	ss, err := sealer(t).Seal(context.Background(), secret("many", "prod", data), seal.SealOptions{})
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	got, err := keyPair(t).Unseal(ss)
	if err != nil {
		t.Fatalf("Unseal: %v", err)
	}
	for k, v := range data {
		if string(got.Data[k]) != v {
			t.Fatalf("key %q = %q, want %q", k, got.Data[k], v)
		}
	}
}

func TestRaw(t *testing.T) {
	tests := []struct {
		name, ns, secretName string
		scope                seal.Scope
		wantErr              error
	}{
		{name: "strict", ns: "prod", secretName: "db", scope: seal.Strict},
		{name: "namespace-wide without name", ns: "prod", scope: seal.NamespaceWide},
		{name: "cluster-wide without either", scope: seal.ClusterWide},
		{name: "strict without name", ns: "prod", scope: seal.Strict, wantErr: seal.ErrMissingName},
		{name: "strict without namespace", secretName: "db", scope: seal.Strict, wantErr: seal.ErrMissingNamespace},
		{name: "namespace-wide without namespace", scope: seal.NamespaceWide, wantErr: seal.ErrMissingNamespace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := sealer(t).Raw([]byte(plaintext), tt.ns, tt.secretName, tt.scope)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Raw: error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Raw: %v", err)
			}
			// The raw value opens inside a SealedSecret of the same scope.
			ss := &ssv1alpha1.SealedSecret{
				ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "prod", Annotations: ssv1alpha1.UpdateScopeAnnotations(nil, tt.scope)},
				Spec:       ssv1alpha1.SealedSecretSpec{EncryptedData: map[string]string{"k": ct}},
			}
			if tt.secretName == "" {
				ss.Name = "any"
			}
			if tt.ns == "" {
				ss.Namespace = "anywhere"
			}
			got, err := keyPair(t).Unseal(ss)
			if err != nil {
				t.Fatalf("Unseal: %v", err)
			}
			if string(got.Data["k"]) != plaintext {
				t.Errorf("raw value opened to %q", got.Data["k"])
			}
		})
	}
}

func TestParseScope(t *testing.T) {
	for _, name := range seal.ScopeNames {
		sc, err := seal.ParseScope(name)
		if err != nil || seal.ScopeName(sc) != name {
			t.Errorf("ParseScope(%q) = %v, %v", name, seal.ScopeName(sc), err)
		}
	}
	for _, bad := range []string{"", "Strict", "namespace"} {
		if _, err := seal.ParseScope(bad); !errors.Is(err, seal.ErrInvalidScope) {
			t.Errorf("ParseScope(%q): error %v, want ErrInvalidScope", bad, err)
		}
	}
}
