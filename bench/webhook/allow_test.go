//go:build e2e

package webhook_test

import (
	"context"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/go-logr/logr"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitward/gitward/pkg/webhookserver"
)

// allowServer is an always-allow webhook on gitward's server stack
// (webhookserver.Server and Webhook), in process, counting its requests.
type allowServer struct {
	url   string
	ca    []byte
	count *atomic.Int64
}

// countingAllow admits everything and counts.
type countingAllow struct{ n *atomic.Int64 }

func (c countingAllow) Handle(ctx context.Context, req admission.Request) admission.Response {
	c.n.Add(1)
	return webhookserver.AlwaysAllow{}.Handle(ctx, req)
}

func startAllowServer(b *testing.B) *allowServer {
	b.Helper()
	logf.SetLogger(logr.Discard()) // the server's certificate watcher logs through controller-runtime
	dir, ca := certDir(b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := &allowServer{url: "https://" + ln.Addr().String() + webhookserver.ValidatePath, ca: ca, count: &atomic.Int64{}}
	srv := &webhookserver.Server{Listener: ln, HTTP2: benchHTTP2(), CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key"),
		Webhook: webhookserver.Webhook(countingAllow{n: s.count}, logr.Discard()), Log: logr.Discard()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("always-allow server: %v", err)
		}
	})
	return s
}
