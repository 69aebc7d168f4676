//go:build e2e

package e2e

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// flakyProxy forwards to a Git HTTP server on a fixed loopback address and
// can be taken down (connection refused) and brought back on the same
// address.
type flakyProxy struct {
	URL    string
	addr   string
	target *url.URL
	mu     sync.Mutex
	srv    *http.Server
}

func newFlakyProxy(t *testing.T, targetURL string) *flakyProxy {
	t.Helper()
	u, err := url.Parse(targetURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &flakyProxy{target: &url.URL{Scheme: u.Scheme, Host: u.Host}}
	p.up(t, "127.0.0.1:0")
	p.URL = "http://" + p.addr + u.Path
	t.Cleanup(func() { p.down(t) })
	return p
}

func (p *flakyProxy) up(t *testing.T, addr string) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.addr = l.Addr().String()
	p.srv = &http.Server{Handler: httputil.NewSingleHostReverseProxy(p.target)}
	go func() { _ = p.srv.Serve(l) }()
}

// down stops the proxy: connections are refused.
func (p *flakyProxy) down(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.srv != nil {
		_ = p.srv.Close()
		p.srv = nil
	}
}

// restore brings the proxy back on the same address.
func (p *flakyProxy) restore(t *testing.T) { p.up(t, p.addr) }
