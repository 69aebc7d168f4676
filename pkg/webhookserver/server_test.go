package webhookserver

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func writeCerts(t *testing.T, dir string, b *CertBundle) {
	t.Helper()
	for name, data := range map[string][]byte{"tls.crt": b.TLSCert, "tls.key": b.TLSKey} {
		tmp := filepath.Join(dir, name+".tmp")
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func clientFor(t *testing.T, ca []byte) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		t.Fatal("bad CA")
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// TestServerTLSReloadAndProbes serves over TLS from files, rotates the files
// and waits (without a time limit of its own) until the new certificate is
// served; readiness follows Ready.
func TestServerTLSReloadAndProbes(t *testing.T) {
	dir := t.TempDir()
	first, err := GenerateCerts([]string{"127.0.0.1", "localhost"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	writeCerts(t, dir, first)
	var ready atomic.Bool
	ln, pln := listen(t), listen(t)
	s := &Server{CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key"),
		Webhook: Webhook(AlwaysAllow{}, logr.Discard()), Ready: ready.Load,
		Metrics: NewMetrics(), Log: logr.Discard(), Listener: ln, ProbeListener: pln}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()

	url := "https://" + ln.Addr().String() + ValidatePath
	body := review(t, nil)
	waitFor(t, func() bool {
		resp, err := clientFor(t, first.CACert).Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	probe := "http://" + pln.Addr().String()
	if code := get(t, probe+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz before ready: %d", code)
	}
	ready.Store(true)
	if code := get(t, probe+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz when ready: %d", code)
	}
	if code := get(t, probe+"/metrics"); code != http.StatusOK {
		t.Errorf("metrics: %d", code)
	}

	second, err := GenerateCerts([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	writeCerts(t, dir, second)
	waitFor(t, func() bool {
		resp, err := clientFor(t, second.CACert).Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	})
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// waitFor polls cond until it holds; the test binary's -timeout bounds it.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBootstrap(t *testing.T) {
	ctx := context.Background()
	c := fake.NewClientset(&admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "gitward-webhook"},
		Webhooks:   []admissionregistrationv1.ValidatingWebhook{{Name: "a.gitward.dev"}, {Name: "b.gitward.dev"}},
	})
	o := BootstrapOptions{Client: c, Namespace: "gitward-system", SecretName: "gitward-webhook-tls",
		Hosts: []string{"gitward-webhook.gitward-system.svc"}, WebhookConfigName: "gitward-webhook", CertDir: t.TempDir()}
	if err := Bootstrap(ctx, o); err != nil {
		t.Fatal(err)
	}
	crt1, _ := os.ReadFile(filepath.Join(o.CertDir, "tls.crt"))
	// A second replica reuses the Secret: same certificate, same CA.
	o2 := o
	o2.CertDir = t.TempDir()
	if err := Bootstrap(ctx, o2); err != nil {
		t.Fatal(err)
	}
	crt2, _ := os.ReadFile(filepath.Join(o2.CertDir, "tls.crt"))
	if !bytes.Equal(crt1, crt2) || len(crt1) == 0 {
		t.Error("the replicas have different certificates")
	}
	vwc, err := c.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, "gitward-webhook", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.CoreV1().Secrets("gitward-system").Get(ctx, "gitward-webhook-tls", metav1.GetOptions{})
	for _, w := range vwc.Webhooks {
		if !bytes.Equal(w.ClientConfig.CABundle, s.Data["ca.crt"]) {
			t.Errorf("webhook %s caBundle not patched", w.Name)
		}
	}
}
