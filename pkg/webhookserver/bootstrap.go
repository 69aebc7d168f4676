package webhookserver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// BootstrapOptions configure self-bootstrapped TLS.
type BootstrapOptions struct {
	Client kubernetes.Interface
	// Namespace and SecretName of the Secret that holds the CA and serving
	// certificate, shared by all replicas (the first one creates it).
	Namespace, SecretName string
	// Hosts the serving certificate is valid for.
	Hosts []string
	// WebhookConfigName is the ValidatingWebhookConfiguration whose webhooks
	// get the CA as caBundle.
	WebhookConfigName string
	// CertDir receives tls.crt and tls.key for the server to load.
	CertDir string
}

// Bootstrap makes sure a CA and serving certificate exist in the Secret
// (creating them once for all replicas), writes the pair to CertDir and
// patches the caBundle of every webhook in WebhookConfigName.
func Bootstrap(ctx context.Context, o BootstrapOptions) error {
	b, err := ensureSecret(ctx, o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.CertDir, 0o700); err != nil {
		return fmt.Errorf("bootstrap TLS: %w", err)
	}
	for name, data := range map[string][]byte{"tls.crt": b.TLSCert, "tls.key": b.TLSKey} {
		if err := os.WriteFile(filepath.Join(o.CertDir, name), data, 0o600); err != nil {
			return fmt.Errorf("bootstrap TLS: %w", err)
		}
	}
	return PatchCABundle(ctx, o.Client, o.WebhookConfigName, b.CACert)
}

// ensureSecret reads the certificate Secret, creating it on first use.
func ensureSecret(ctx context.Context, o BootstrapOptions) (*CertBundle, error) {
	secrets := o.Client.CoreV1().Secrets(o.Namespace)
	s, err := secrets.Get(ctx, o.SecretName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		b, gerr := GenerateCerts(o.Hosts, time.Now())
		if gerr != nil {
			return nil, gerr
		}
		s = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: o.SecretName, Namespace: o.Namespace},
			Type:       corev1.SecretTypeTLS,
			Data:       map[string][]byte{"ca.crt": b.CACert, "ca.key": b.CAKey, "tls.crt": b.TLSCert, "tls.key": b.TLSKey},
		}
		if _, err = secrets.Create(ctx, s, metav1.CreateOptions{}); err == nil {
			return b, nil
		}
		if !apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("bootstrap TLS: create secret %s/%s: %w", o.Namespace, o.SecretName, err)
		}
		s, err = secrets.Get(ctx, o.SecretName, metav1.GetOptions{}) // another replica won the race
	}
	if err != nil {
		return nil, fmt.Errorf("bootstrap TLS: read secret %s/%s: %w", o.Namespace, o.SecretName, err)
	}
	b := &CertBundle{CACert: s.Data["ca.crt"], CAKey: s.Data["ca.key"], TLSCert: s.Data["tls.crt"], TLSKey: s.Data["tls.key"]}
	if len(b.CACert) == 0 || len(b.TLSCert) == 0 || len(b.TLSKey) == 0 {
		return nil, fmt.Errorf("bootstrap TLS: secret %s/%s lacks ca.crt, tls.crt or tls.key; delete it to regenerate", o.Namespace, o.SecretName)
	}
	return b, nil
}

// PatchCABundle sets caBundle on every webhook of the named
// ValidatingWebhookConfiguration.
func PatchCABundle(ctx context.Context, c kubernetes.Interface, name string, ca []byte) error {
	vwcs := c.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	cfg, err := vwcs.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("patch caBundle of validatingwebhookconfiguration %s: %w", name, err)
	}
	var ops []string
	for i := range cfg.Webhooks {
		if string(cfg.Webhooks[i].ClientConfig.CABundle) == string(ca) {
			continue
		}
		ops = append(ops, fmt.Sprintf(`{"op":"add","path":"/webhooks/%d/clientConfig/caBundle","value":%q}`,
			i, encodeBase64(ca)))
	}
	if len(ops) == 0 {
		return nil
	}
	patch := "[" + join(ops, ",") + "]"
	if _, err := vwcs.Patch(ctx, name, types.JSONPatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("patch caBundle of validatingwebhookconfiguration %s: %w", name, err)
	}
	return nil
}
