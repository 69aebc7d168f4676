package seal_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/seal"
	"github.com/gitward/gitward/pkg/seal/sealtest"
)

func TestParseCertificate(t *testing.T) {
	now := time.Now()
	valid := sealtest.NewKeyPair(t, sealtest.CertOptions{})
	expired := sealtest.NewKeyPair(t, sealtest.CertOptions{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)})
	future := sealtest.NewKeyPair(t, sealtest.CertOptions{NotBefore: now.Add(time.Hour), NotAfter: now.Add(48 * time.Hour)})
	keyFirst := append([]byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"), valid.CertPEM...)

	tests := []struct {
		name    string
		pem     []byte
		wantErr error
		wantIn  string
	}{
		{name: "valid RSA", pem: valid.CertPEM},
		{name: "certificate after another PEM block", pem: keyFirst},
		{name: "expired", pem: expired.CertPEM, wantErr: seal.ErrCertificateExpired, wantIn: "cert.pem: certificate expired on"},
		{name: "not yet valid", pem: future.CertPEM, wantErr: seal.ErrCertificateNotYetValid},
		{name: "ECDSA", pem: sealtest.NewECDSACertPEM(t), wantErr: seal.ErrNotRSA, wantIn: "*ecdsa.PublicKey"},
		{name: "empty", pem: nil, wantErr: seal.ErrNoCertificate},
		{name: "not PEM", pem: []byte("hello"), wantErr: seal.ErrNoCertificate},
		{name: "broken certificate", pem: []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), wantIn: "parsing the certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := seal.ParseCertificate(tt.pem, "cert.pem", now)
			if tt.wantErr == nil && tt.wantIn == "" {
				if err != nil {
					t.Fatalf("ParseCertificate: %v", err)
				}
				if !key.Equal(&valid.Key.PublicKey) {
					t.Fatalf("ParseCertificate returned another key")
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseCertificate: no error, want %v", tt.wantErr)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not contain %q", err, tt.wantIn)
			}
		})
	}
}

// fakeAPIServer serves the Service and the service-proxy path kubeseal uses.
func fakeAPIServer(t *testing.T, certPEM []byte) kubernetes.Interface {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/namespaces/kube-system/services/sealed-secrets-controller", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"apiVersion":"v1","kind":"Service","metadata":{"name":"sealed-secrets-controller","namespace":"kube-system"},
			"spec":{"ports":[{"name":"http","port":8080}]}}`))
	})
	mux.HandleFunc("/api/v1/namespaces/kube-system/services/http:sealed-secrets-controller:http/proxy/v1/cert.pem", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(certPEM)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestFetchCertificate(t *testing.T) {
	kp := sealtest.NewKeyPair(t, sealtest.CertOptions{})
	client := fakeAPIServer(t, kp.CertPEM)
	ctx := context.Background()

	got, err := seal.FetchCertificate(ctx, client, "kube-system", "sealed-secrets-controller")
	if err != nil {
		t.Fatalf("FetchCertificate: %v", err)
	}
	if string(got) != string(kp.CertPEM) {
		t.Fatalf("FetchCertificate returned %q, want the controller's certificate", got)
	}

	_, err = seal.FetchCertificate(ctx, client, "sealed", "other-controller")
	if err == nil || !strings.Contains(err.Error(), "sealed/other-controller") || !strings.Contains(err.Error(), "--controller-name") {
		t.Fatalf("FetchCertificate of a missing Service: error %v, want one naming the Service and --controller-name", err)
	}
}
