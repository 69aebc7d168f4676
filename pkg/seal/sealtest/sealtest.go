// Package sealtest builds sealed-secrets key pairs and opens SealedSecrets
// for tests, with sealed-secrets' own code (the controller's Unseal).
package sealtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"github.com/bitnami-labs/sealed-secrets/pkg/crypto"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/scheme"
)

// KeyPair is a controller key: the private key and its certificate in PEM.
type KeyPair struct {
	Key     *rsa.PrivateKey
	CertPEM []byte
}

// CertOptions shapes a test certificate. The zero value gives a 2048-bit RSA
// key valid from an hour ago for a day.
type CertOptions struct {
	Bits      int
	NotBefore time.Time
	NotAfter  time.Time
}

// NewKeyPair returns an RSA key pair with a self-signed certificate.
func NewKeyPair(t testing.TB, o CertOptions) *KeyPair {
	t.Helper()
	if o.Bits == 0 {
		o.Bits = 2048
	}
	key, err := rsa.GenerateKey(rand.Reader, o.Bits)
	if err != nil {
		t.Fatalf("generating an RSA key: %v", err)
	}
	return &KeyPair{Key: key, CertPEM: selfSigned(t, key, &key.PublicKey, o)}
}

// NewECDSACertPEM returns a valid certificate whose key is not RSA.
func NewECDSACertPEM(t testing.TB) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generating an ECDSA key: %v", err)
	}
	return selfSigned(t, key, &key.PublicKey, CertOptions{})
}

func selfSigned(t testing.TB, signer any, pub any, o CertOptions) []byte {
	t.Helper()
	now := time.Now()
	if o.NotBefore.IsZero() {
		o.NotBefore = now.Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = now.Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "sealed-secret"},
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer)
	if err != nil {
		t.Fatalf("creating a certificate: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// Unseal opens ss with kp's private key through sealed-secrets' own
// SealedSecret.Unseal, which the controller runs.
func (kp *KeyPair) Unseal(ss *ssv1alpha1.SealedSecret) (*corev1.Secret, error) {
	fp, err := crypto.PublicKeyFingerprint(&kp.Key.PublicKey)
	if err != nil {
		return nil, err
	}
	return ss.DeepCopy().Unseal(scheme.Codecs, map[string]*rsa.PrivateKey{fp: kp.Key})
}
