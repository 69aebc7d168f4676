package seal

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Defaults of the sealed-secrets controller as installed by its Helm chart
// and manifests; kubeseal uses the same.
const (
	DefaultControllerName      = "sealed-secrets-controller"
	DefaultControllerNamespace = "kube-system"
	// CertPath is where the controller serves its current certificate.
	CertPath = "/v1/cert.pem"
	// maxCertBytes bounds what FetchCertificate reads from the controller.
	maxCertBytes = 1 << 20
)

// ParseCertificate returns the RSA public key of the first certificate in
// pemData. It refuses input without a certificate, a certificate whose
// validity does not cover now, and a non-RSA key. source names the input in
// errors (a file path, or the controller).
func ParseCertificate(pemData []byte, source string, now time.Time) (*rsa.PublicKey, error) {
	rest := pemData
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("%s: %w: expected a PEM block \"CERTIFICATE\"", source, ErrNoCertificate)
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: parsing the certificate: %w", source, err)
		}
		return publicKey(cert, source, now)
	}
}

func publicKey(cert *x509.Certificate, source string, now time.Time) (*rsa.PublicKey, error) {
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%s: %w: the key is %T; the sealed-secrets controller uses RSA keys",
			source, ErrNotRSA, cert.PublicKey)
	}
	if now.After(cert.NotAfter) {
		return nil, fmt.Errorf("%s: %w on %s (subject %q): fetch the controller's current certificate",
			source, ErrCertificateExpired, cert.NotAfter.UTC().Format(time.RFC3339), cert.Subject.String())
	}
	if now.Before(cert.NotBefore) {
		return nil, fmt.Errorf("%s: %w until %s (subject %q)",
			source, ErrCertificateNotYetValid, cert.NotBefore.UTC().Format(time.RFC3339), cert.Subject.String())
	}
	return key, nil
}

// FetchCertificate reads the controller's certificate (PEM) through the API
// server's service proxy, as kubeseal does: GET
// /api/v1/namespaces/NAMESPACE/services/http:NAME:PORT/proxy/v1/cert.pem,
// where PORT is the name of the Service's first port.
func FetchCertificate(ctx context.Context, client kubernetes.Interface, namespace, name string) ([]byte, error) {
	where := fmt.Sprintf("sealed-secrets controller service %s/%s", namespace, name)
	svc, err := client.CoreV1().Services(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w (set --controller-name and --controller-namespace, or give --cert)", where, err)
	}
	if len(svc.Spec.Ports) == 0 {
		return nil, fmt.Errorf("%s: the Service has no ports", where)
	}
	port := svc.Spec.Ports[0].Name
	if port == "" {
		port = fmt.Sprint(svc.Spec.Ports[0].Port)
	}
	rc, err := client.CoreV1().Services(namespace).ProxyGet("http", name, port, CertPath, nil).Stream(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: fetching %s through the API server's service proxy: %w", where, CertPath, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxCertBytes))
	if err != nil {
		return nil, fmt.Errorf("%s: reading %s: %w", where, CertPath, err)
	}
	return data, nil
}
