package webhookserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
)

// testCA issues client certificates.
type testCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: "test-client-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// client issues a client certificate for cn and dnsNames.
func (ca *testCA) client(t *testing.T, cn string, dnsNames ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: cn}, DNSNames: dnsNames,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// callerRecorder answers 200 and records the caller and webhook of each
// request.
type callerRecorder struct {
	mu      sync.Mutex
	callers []Caller
	hooks   []string
}

func (c *callerRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.callers = append(c.callers, CallerFrom(r.Context()))
	c.hooks = append(c.hooks, WebhookFrom(r.Context()))
}

func (c *callerRecorder) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.callers)
}

func (c *callerRecorder) last() (Caller, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.callers[len(c.callers)-1], c.hooks[len(c.hooks)-1]
}

// TestServerClientAuthentication: with a client CA, only certificates it
// signed for an allowed name reach the handler, as authenticated callers; a
// rotated bundle is picked up.
func TestServerClientAuthentication(t *testing.T) {
	dir := t.TempDir()
	serving, err := GenerateCerts([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	writeCerts(t, dir, serving)
	ca, other := newTestCA(t), newTestCA(t)
	bundle := filepath.Join(dir, "client-ca.crt")
	if err := os.WriteFile(bundle, ca.certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	rec := &callerRecorder{}
	ln := listen(t)
	s := &Server{CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key"), Webhook: rec,
		ClientCAFile: bundle, ClientNames: []string{"kube-apiserver", "apiserver.example.com"},
		ClientCAReload: 20 * time.Millisecond, Log: logr.Discard(), Listener: ln}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(serving.CACert)
	post := func(path string, certs ...tls.Certificate) error {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: certs}}}
		defer c.CloseIdleConnections()
		resp, err := c.Post("https://"+ln.Addr().String()+path, "application/json", strings.NewReader("{}"))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("HTTP %d", resp.StatusCode)
		}
		return nil
	}
	waitFor(t, func() bool { return post(ValidatePath, ca.client(t, "kube-apiserver")) == nil })
	if c, hook := rec.last(); !c.Authenticated || c.Name != "kube-apiserver" || hook != "" {
		t.Errorf("caller %+v on webhook %q; want kube-apiserver, authenticated, on the shared path", c, hook)
	}
	if err := post(WebhookPath("namespaces"), ca.client(t, "", "apiserver.example.com")); err != nil {
		t.Errorf("an allowed DNS name: %v", err)
	} else if c, hook := rec.last(); !c.Authenticated || c.Name != "apiserver.example.com" || hook != "namespaces" {
		t.Errorf("caller %+v on webhook %q", c, hook)
	}

	served := rec.count()
	for name, certs := range map[string][]tls.Certificate{
		"no certificate":        nil,
		"another CA":            {other.client(t, "kube-apiserver")},
		"a name not allowed":    {ca.client(t, "system:serviceaccount:shop:default")},
		"a serving certificate": {mustKeyPair(t, serving)},
	} {
		if err := post(ValidatePath, certs...); err == nil {
			t.Errorf("%s: admitted to the handler", name)
		}
	}
	if n := rec.count(); n != served {
		t.Errorf("refused handshakes reached the handler %d times", n-served)
	}

	// Rotation: the other CA replaces the first.
	if err := os.WriteFile(bundle, other.certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return post(ValidatePath, other.client(t, "kube-apiserver")) == nil })
	if err := post(ValidatePath, ca.client(t, "kube-apiserver")); err == nil {
		t.Error("a certificate of the replaced CA is still accepted")
	}
}

func mustKeyPair(t *testing.T, b *CertBundle) tls.Certificate {
	t.Helper()
	c, err := tls.X509KeyPair(b.TLSCert, b.TLSKey)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestServerWithoutClientCA: every caller is served, none authenticated.
func TestServerWithoutClientCA(t *testing.T) {
	dir := t.TempDir()
	serving, err := GenerateCerts([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	writeCerts(t, dir, serving)
	rec := &callerRecorder{}
	ln := listen(t)
	s := &Server{CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key"), Webhook: rec,
		Log: logr.Discard(), Listener: ln}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	c := clientFor(t, serving.CACert)
	c.Transport.(*http.Transport).TLSClientConfig.Certificates = []tls.Certificate{newTestCA(t).client(t, "kube-apiserver")}
	waitFor(t, func() bool {
		resp, err := c.Post("https://"+ln.Addr().String()+WebhookPath("labelled-objects"), "application/json", strings.NewReader("{}"))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	})
	if caller, hook := rec.last(); caller.Authenticated || hook != "labelled-objects" {
		t.Errorf("caller %+v on webhook %q; want unauthenticated on labelled-objects", caller, hook)
	}
}
