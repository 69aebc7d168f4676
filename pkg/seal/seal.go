package seal

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"github.com/bitnami-labs/sealed-secrets/pkg/crypto"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Sealer encrypts Secret values for one sealed-secrets controller key.
// It is safe for concurrent use.
type Sealer struct {
	// Key is the controller's public key (ParseCertificate).
	Key *rsa.PublicKey
	// Rand is the randomness for session keys and OAEP; it must be safe for
	// concurrent use. Default: crypto/rand.Reader.
	Rand io.Reader
	// Workers bounds how many values are encrypted at once.
	// Default: runtime.GOMAXPROCS(0).
	Workers int
}

// SealOptions says what to seal a Secret for.
type SealOptions struct {
	// Scope overrides the scope the Secret's sealed-secrets annotations
	// declare; nil keeps them (strict when absent).
	Scope *Scope
	// AllowEmptyData seals a Secret with no data; otherwise ErrEmptySecret.
	AllowEmptyData bool
}

// Seal returns the SealedSecret for secret, as kubeseal builds it: every
// value of data and stringData (stringData wins) encrypted on its own with
// the scope's label, the Secret's metadata (minus server-set fields, owner
// references and the last-applied annotations, which hold plaintext) as the
// template, and the scope as annotations. secret is not modified. The name
// and namespace the scope needs must be set (ErrMissingName,
// ErrMissingNamespace).
func (s *Sealer) Seal(ctx context.Context, secret *corev1.Secret, o SealOptions) (*ssv1alpha1.SealedSecret, error) {
	in := secret.DeepCopy()
	sc := ScopeOf(in)
	if o.Scope != nil {
		sc = *o.Scope
		in.Annotations = ssv1alpha1.UpdateScopeAnnotations(in.Annotations, sc)
	}
	what := objectName("Secret", in.Namespace, in.Name)
	if err := checkTarget(what, in.Namespace, in.Name, sc); err != nil {
		return nil, err
	}
	values := make(map[string][]byte, len(in.Data)+len(in.StringData))
	for k, v := range in.Data {
		values[k] = v
	}
	for k, v := range in.StringData {
		values[k] = []byte(v)
	}
	if len(values) == 0 && !o.AllowEmptyData {
		return nil, fmt.Errorf("%s: %w: neither data nor stringData has a key (allow it with --allow-empty-data)", what, ErrEmptySecret)
	}
	enc, err := s.EncryptValues(ctx, Label(in.Namespace, in.Name, sc), values)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	ss := &ssv1alpha1.SealedSecret{
		TypeMeta: metav1.TypeMeta{APIVersion: ssv1alpha1.SchemeGroupVersion.String(), Kind: "SealedSecret"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        in.Name,
			Namespace:   in.Namespace,
			Annotations: ssv1alpha1.UpdateScopeAnnotations(nil, sc),
		},
		Spec: ssv1alpha1.SealedSecretSpec{
			Template: ssv1alpha1.SecretTemplateSpec{
				ObjectMeta: templateMeta(in.ObjectMeta),
				Type:       in.Type,
				Immutable:  in.Immutable,
			},
			EncryptedData: enc,
		},
	}
	if len(ss.Annotations) == 0 {
		ss.Annotations = nil
	}
	return ss, nil
}

// templateMeta keeps what the controller should put on the Secret and drops
// what the server sets and what would leak plaintext.
func templateMeta(m metav1.ObjectMeta) metav1.ObjectMeta {
	out := metav1.ObjectMeta{
		Name:        m.Name,
		Namespace:   m.Namespace,
		Labels:      m.Labels,
		Annotations: m.Annotations,
		Finalizers:  m.Finalizers,
	}
	ssv1alpha1.StripLastAppliedAnnotations(out.Annotations)
	if len(out.Annotations) == 0 {
		out.Annotations = nil
	}
	return out
}

// EncryptValues encrypts each value with sealed-secrets' HybridEncrypt under
// label, concurrently on up to Workers goroutines, and returns the
// base64-encoded ciphertexts by key.
func (s *Sealer) EncryptValues(ctx context.Context, label []byte, values map[string][]byte) (map[string]string, error) {
	if s.Key == nil {
		return nil, fmt.Errorf("sealer has no public key")
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	errs := make([]error, len(keys))
	workers := min(s.workers(), len(keys))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(keys) || ctx.Err() != nil {
					return
				}
				ct, err := crypto.HybridEncrypt(s.rand(), s.Key, values[keys[i]], label)
				if err != nil {
					errs[i] = fmt.Errorf("encrypting key %q: %w", keys[i], err)
					return
				}
				out[i] = base64.StdEncoding.EncodeToString(ct)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := make(map[string]string, len(keys))
	for i, k := range keys {
		if errs[i] != nil {
			return nil, errs[i]
		}
		res[k] = out[i]
	}
	return res, nil
}

// Raw encrypts one value for namespace and name under sc, as
// `kubeseal --raw` does, and returns it base64-encoded: the value of an
// encryptedData key. The name and namespace the scope needs must be set.
func (s *Sealer) Raw(value []byte, namespace, name string, sc Scope) (string, error) {
	what := objectName("raw value for", namespace, name)
	if err := checkTarget(what, namespace, name, sc); err != nil {
		return "", err
	}
	ct, err := crypto.HybridEncrypt(s.rand(), s.Key, value, Label(namespace, name, sc))
	if err != nil {
		return "", fmt.Errorf("%s: encrypting: %w", what, err)
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}

func (s *Sealer) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

func (s *Sealer) workers() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return max(1, runtime.GOMAXPROCS(0))
}

// objectName names an object in errors: "Secret ns/name", "Secret name",
// "Secret <unnamed>".
func objectName(kind, namespace, name string) string {
	switch {
	case name == "" && namespace == "":
		return kind + " <unnamed>"
	case name == "":
		return kind + " " + namespace + "/<unnamed>"
	case namespace == "":
		return kind + " " + name
	}
	return kind + " " + namespace + "/" + name
}
