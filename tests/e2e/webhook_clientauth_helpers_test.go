//go:build e2e

package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"testing"

	"github.com/gitward/gitward/tests/localcluster"
	whcmd "github.com/gitward/gitward/webhook/cmd"
)

// requireAPIServerCert is a startWebhook option: the webhook accepts only
// the client certificate c's API server presents to admission webhooks (c
// started with localcluster.Options.WebhookClientCert).
func requireAPIServerCert(c *localcluster.Cluster) func(*whcmd.ServeOptions) {
	return func(o *whcmd.ServeOptions) {
		o.ClientCAFile, o.ClientNames = c.WebhookClientCAFile, []string{localcluster.WebhookClientName}
	}
}

// webhookClient is an HTTPS client that trusts the webhook's serving CA
// and presents certs, for posting reviews to the webhook directly.
func webhookClient(t *testing.T, servingCA []byte, certs ...tls.Certificate) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(servingCA) {
		t.Fatal("the webhook's serving CA holds no certificate")
	}
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool, Certificates: certs},
		DisableKeepAlives: true,
	}}
}

// apiServerIdentity is the client certificate c's API server presents to
// admission webhooks.
func apiServerIdentity(t *testing.T, c *localcluster.Cluster) tls.Certificate {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(c.WebhookClientCertFile, c.WebhookClientKeyFile)
	if err != nil {
		t.Fatalf("the API server's webhook client certificate: %v", err)
	}
	return cert
}
