package localcluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// certValidity is how long every generated certificate is valid.
const certValidity = 365 * 24 * time.Hour

// Identities of the generated client certificates.
const (
	adminUser             = "localcluster-admin"
	adminGroup            = "system:masters"
	controllerManagerUser = "system:kube-controller-manager"
)

// keyPair is a certificate with its private key, parsed and PEM-encoded.
type keyPair struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
	keyPEM  []byte
}

// pki is everything the control plane needs, generated in memory.
type pki struct {
	ca                *keyPair
	serving           *keyPair // kube-apiserver, for 127.0.0.1 and localhost
	admin             *keyPair // CN=localcluster-admin, O=system:masters
	controllerManager *keyPair // CN=system:kube-controller-manager
	saKeyPEM          []byte   // service-account signing key (PKCS#8)
	saPubPEM          []byte   // its public key (PKIX)
}

// pkiFiles are the paths newPKI's output is written to.
type pkiFiles struct {
	caCert, servingCert, servingKey             string
	adminCert, adminKey                         string
	controllerManagerCert, controllerManagerKey string
	saKey, saPub                                string
}

// newPKI generates a CA, the serving and client certificates and the
// service-account key pair. All keys are ECDSA P-256.
func newPKI(now time.Time) (*pki, error) {
	ca, err := newCA(now, "localcluster-ca")
	if err != nil {
		return nil, err
	}
	p := &pki{ca: ca}
	if p.serving, err = ca.issue(now, &x509.Certificate{
		Subject:  pkix.Name{CommonName: KubeAPIServer},
		DNSNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		// 10.88.0.1 is the node's address (NodeIP), where Pods reach the API
		// server through Service "kubernetes" when the cluster has a node.
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback, net.IPv4(10, 0, 0, 1), net.IPv4(10, 88, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}); err != nil {
		return nil, fmt.Errorf("localcluster: serving certificate: %w", err)
	}
	if p.admin, err = ca.issue(now, clientTemplate(adminUser, adminGroup)); err != nil {
		return nil, fmt.Errorf("localcluster: admin certificate: %w", err)
	}
	if p.controllerManager, err = ca.issue(now, clientTemplate(controllerManagerUser)); err != nil {
		return nil, fmt.Errorf("localcluster: kube-controller-manager certificate: %w", err)
	}
	sa, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("localcluster: service-account key: %w", err)
	}
	if p.saKeyPEM, err = encodeKey(sa); err != nil {
		return nil, fmt.Errorf("localcluster: service-account key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&sa.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("localcluster: service-account public key: %w", err)
	}
	p.saPubPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	return p, nil
}

func clientTemplate(user string, groups ...string) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: user, Organization: groups},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
}

func newCA(now time.Time, name string) (*keyPair, error) {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: name},
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	kp, err := sign(now, tmpl, nil)
	if err != nil {
		return nil, fmt.Errorf("localcluster: CA %s: %w", name, err)
	}
	return kp, nil
}

// issue signs a leaf certificate for tmpl with the CA.
func (ca *keyPair) issue(now time.Time, tmpl *x509.Certificate) (*keyPair, error) {
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	return sign(now, tmpl, ca)
}

// sign creates a key and a certificate for tmpl, signed by parent or
// self-signed when parent is nil.
func sign(now time.Time, tmpl *x509.Certificate, parent *keyPair) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = now.Add(-time.Hour)
	tmpl.NotAfter = now.Add(certValidity)
	parentCert, signer := tmpl, key
	if parent != nil {
		parentCert, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, err
	}
	return &keyPair{
		cert:    cert,
		key:     key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  keyPEM,
	}, nil
}

func encodeKey(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// write stores the PKI as PEM files in dir (created if missing). Private
// keys are readable by the owner only.
func (p *pki) write(dir string) (pkiFiles, error) {
	f := pkiFiles{
		caCert:                filepath.Join(dir, "ca.crt"),
		servingCert:           filepath.Join(dir, "apiserver.crt"),
		servingKey:            filepath.Join(dir, "apiserver.key"),
		adminCert:             filepath.Join(dir, "admin.crt"),
		adminKey:              filepath.Join(dir, "admin.key"),
		controllerManagerCert: filepath.Join(dir, "controller-manager.crt"),
		controllerManagerKey:  filepath.Join(dir, "controller-manager.key"),
		saKey:                 filepath.Join(dir, "sa.key"),
		saPub:                 filepath.Join(dir, "sa.pub"),
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f, fmt.Errorf("localcluster: creating %s: %w", dir, err)
	}
	for _, w := range []struct {
		path string
		data []byte
	}{
		{f.caCert, p.ca.certPEM},
		{f.servingCert, p.serving.certPEM},
		{f.servingKey, p.serving.keyPEM},
		{f.adminCert, p.admin.certPEM},
		{f.adminKey, p.admin.keyPEM},
		{f.controllerManagerCert, p.controllerManager.certPEM},
		{f.controllerManagerKey, p.controllerManager.keyPEM},
		{f.saKey, p.saKeyPEM},
		{f.saPub, p.saPubPEM},
	} {
		if err := os.WriteFile(w.path, w.data, 0o600); err != nil {
			return f, fmt.Errorf("localcluster: writing %s: %w", w.path, err)
		}
	}
	return f, nil
}
