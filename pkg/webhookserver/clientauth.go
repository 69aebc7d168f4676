package webhookserver

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
)

// DefaultClientCAReload is how often the client CA bundle is re-read.
const DefaultClientCAReload = 10 * time.Second

// ErrNoClientCert is why a handshake without a client certificate fails.
var ErrNoClientCert = errors.New("no client certificate: the webhook serves only the API server, which presents one through its admission kubeconfig")

// clientAuth verifies the certificates of the webhook's callers. The API
// server presents one when its AdmissionConfiguration gives it a
// kubeconfig for the webhook's host; nothing else should reach the webhook,
// since a review's userInfo is believed as sent.
//
// The chain is verified in VerifyConnection, not by crypto/tls's
// ClientCAs, so that a rotated bundle applies to the next handshake (and to
// resumed sessions) without rebuilding the server's tls.Config.
type clientAuth struct {
	file  string
	names []string // allowed common or DNS names; empty: any the CA signed
	pool  atomic.Pointer[x509.CertPool]
	pem   []byte // the bundle pool was built from (only the watcher reads it)
}

// newClientAuth loads the PEM bundle file.
func newClientAuth(file string, names []string) (*clientAuth, error) {
	a := &clientAuth{file: file, names: names}
	if err := a.load(); err != nil {
		return nil, err
	}
	return a, nil
}

// load reads the bundle; an unreadable or empty bundle keeps the old pool.
func (a *clientAuth) load() error {
	data, err := os.ReadFile(a.file)
	if err != nil {
		return fmt.Errorf("client CA bundle: %w", err)
	}
	if a.pool.Load() != nil && bytes.Equal(data, a.pem) {
		return nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return fmt.Errorf("client CA bundle %s holds no PEM certificate", a.file)
	}
	a.pool.Store(pool)
	a.pem = data
	return nil
}

// watch re-reads the bundle every interval until ctx is done (a mounted
// Secret or ConfigMap changes by a symlink swap, which polling sees).
func (a *clientAuth) watch(ctx context.Context, interval time.Duration, log logr.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			old := a.pool.Load()
			if err := a.load(); err != nil {
				log.Error(err, "reload the client CA bundle; keeping the previous one", "file", a.file)
			} else if a.pool.Load() != old {
				log.Info("reloaded the client CA bundle", "file", a.file)
			}
		}
	}
}

// configure makes cfg require a client certificate and verify it.
func (a *clientAuth) configure(cfg *tls.Config) {
	cfg.ClientAuth = tls.RequireAnyClientCert
	cfg.VerifyConnection = a.verify
}

// verify accepts a handshake whose client certificate chains to the bundle
// for client authentication and names an allowed identity.
func (a *clientAuth) verify(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return ErrNoClientCert
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: a.pool.Load(), Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return fmt.Errorf("client certificate %q: %w", certName(leaf), err)
	}
	if len(a.names) > 0 && !slices.Contains(a.names, leaf.Subject.CommonName) &&
		!slices.ContainsFunc(leaf.DNSNames, func(n string) bool { return slices.Contains(a.names, n) }) {
		return fmt.Errorf("client certificate %q (DNS names %s) is not an allowed client (--client-name %s)",
			leaf.Subject.CommonName, strings.Join(leaf.DNSNames, ","), strings.Join(a.names, ","))
	}
	return nil
}

// certName names a certificate's holder: its common name, else its first
// DNS name.
func certName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" || len(c.DNSNames) == 0 {
		return c.Subject.CommonName
	}
	return c.DNSNames[0]
}
