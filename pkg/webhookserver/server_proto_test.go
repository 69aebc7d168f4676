package webhookserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
)

// TestServerProtocols: HTTP/1.1 only unless HTTP2 is set.
func TestServerProtocols(t *testing.T) {
	certs, err := GenerateCerts([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, h2 := range []bool{false, true} {
		dir := t.TempDir()
		writeCerts(t, dir, certs)
		ln := listen(t)
		s := &Server{CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key"), HTTP2: h2,
			Webhook: Webhook(AlwaysAllow{}, logr.Discard()), Log: logr.Discard(), Listener: ln}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(certs.CACert)
		var proto string
		waitFor(t, func() bool {
			c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}})
			if err != nil {
				return false
			}
			proto = c.ConnectionState().NegotiatedProtocol
			c.Close()
			return true
		})
		cancel()
		<-done
		want := "http/1.1"
		if h2 {
			want = "h2"
		}
		if proto != want {
			t.Errorf("HTTP2=%v: negotiated %q, want %q", h2, proto, want)
		}
	}
}
