//go:build e2e

package agent_test

import (
	"io"
	"net"
	"net/url"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

// delayProxy forwards TCP connections to a target and holds every chunk of
// bytes for half a round-trip time in each direction: an API server at a
// network distance, for kubectl and the agent alike (-rtt).
type delayProxy struct {
	ln     net.Listener
	target string
	half   time.Duration
}

// startDelayProxy proxies the host of server (an https:// URL) with rtt
// added and returns server's URL with the proxy's address; the proxy stops
// with t.
func startDelayProxy(t *testing.T, server string, rtt time.Duration) string {
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &delayProxy{ln: ln, target: u.Host, half: rtt / 2}
	t.Cleanup(func() { _ = ln.Close() })
	go p.serve()
	u.Host = ln.Addr().String()
	return u.String()
}

func (p *delayProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *delayProxy) handle(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	done := make(chan struct{}, 2)
	go func() { p.pipe(up, c); done <- struct{}{} }()
	go func() { p.pipe(c, up); done <- struct{}{} }()
	<-done
	<-done
	_ = c.Close()
	_ = up.Close()
}

// pipe copies src to dst, each chunk delayed by half the round trip; the
// order of the bytes is kept.
func (p *delayProxy) pipe(dst, src net.Conn) {
	type chunk struct {
		b  []byte
		at time.Time
	}
	queue := make(chan chunk, 4096)
	written := make(chan struct{})
	go func() {
		defer close(written)
		for c := range queue {
			time.Sleep(time.Until(c.at))
			if _, err := dst.Write(c.b); err != nil {
				for range queue {
				}
				return
			}
		}
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			queue <- chunk{b: append([]byte(nil), buf[:n]...), at: time.Now().Add(p.half)}
		}
		if err != nil {
			close(queue)
			<-written
			return
		}
	}
}

// requestTime is the mean time of 100 GET /version sent one after another
// to server on one connection: what the proxy adds to each of kubectl's
// requests, measured.
func requestTime(t *testing.T, cfg *rest.Config, server string) time.Duration {
	c := rest.CopyConfig(cfg)
	c.Host = server
	hc, err := rest.HTTPClientFor(c)
	if err != nil {
		t.Fatal(err)
	}
	get := func() {
		resp, err := hc.Get(server + "/version")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	get() // the connection
	const n = 100
	start := time.Now()
	for range n {
		get()
	}
	return (time.Since(start) / n).Round(10 * time.Microsecond)
}
