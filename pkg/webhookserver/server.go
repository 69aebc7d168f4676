package webhookserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
)

// ValidatePath is where the webhook is served.
const ValidatePath = "/validate"

// Server serves the webhook over TLS, and metrics and probes over plain
// HTTP on a second address.
type Server struct {
	// Addr is the TLS address of the webhook (":9443").
	Addr string
	// ProbeAddr serves /metrics, /healthz and /readyz (":8080"); "" disables it.
	ProbeAddr string
	// CertFile and KeyFile are reloaded when they change (cert-manager,
	// a mounted Secret).
	CertFile, KeyFile string
	// Webhook is the admission handler (see Webhook).
	Webhook http.Handler
	// Ready reports readiness; nil is always ready.
	Ready   func() bool
	Metrics *Metrics
	Log     logr.Logger

	// HTTP2 also serves HTTP/2. Off, the webhook speaks HTTP/1.1 with
	// keep-alive, as controller-runtime's webhook server does by default:
	// HTTP/2 stream handling was the ground of the rapid-reset attacks
	// (CVE-2023-44487, CVE-2023-39325), and the API server gets nothing from
	// multiplexing here (it keeps a pool of connections either way).
	HTTP2 bool

	// Listener, when set, is used instead of listening on Addr (tests).
	Listener net.Listener
	// ProbeListener, when set, is used instead of listening on ProbeAddr.
	ProbeListener net.Listener
}

// Run serves until ctx is done, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	if s.Webhook == nil || s.CertFile == "" || s.KeyFile == "" {
		return errors.New("webhook server: a handler, a certificate file and a key file are required")
	}
	cw, err := certwatcher.New(s.CertFile, s.KeyFile)
	if err != nil {
		return fmt.Errorf("webhook server: load the serving certificate: %w", err)
	}
	go func() {
		if err := cw.Start(ctx); err != nil {
			s.Log.Error(err, "certificate watcher stopped")
		}
	}()
	mux := http.NewServeMux()
	mux.Handle(ValidatePath, s.Webhook)
	srv := &http.Server{
		Handler:           mux,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: cw.GetCertificate},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		MaxHeaderBytes:    64 << 10,
		Protocols:         new(http.Protocols),
	}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetHTTP2(s.HTTP2)
	ln := s.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", s.Addr); err != nil {
			return fmt.Errorf("webhook server: %w", err)
		}
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	var probe *http.Server
	if s.ProbeAddr != "" || s.ProbeListener != nil {
		probe = &http.Server{Handler: s.probeMux(), ReadHeaderTimeout: 10 * time.Second}
		pln := s.ProbeListener
		if pln == nil {
			if pln, err = net.Listen("tcp", s.ProbeAddr); err != nil {
				_ = srv.Close()
				return fmt.Errorf("webhook server: probes: %w", err)
			}
		}
		go func() { errc <- probe.Serve(pln) }()
	}
	s.Log.Info("serving", "addr", ln.Addr().String(), "path", ValidatePath)
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			_ = srv.Close()
			return fmt.Errorf("webhook server: %w", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if probe != nil {
		_ = probe.Shutdown(sctx)
	}
	return srv.Shutdown(sctx)
}

// probeMux serves metrics and probes.
func (s *Server) probeMux() *http.ServeMux {
	mux := http.NewServeMux()
	if s.Metrics != nil {
		mux.Handle("/metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if s.Ready != nil && !s.Ready() {
			http.Error(w, "not ready: a source has not rendered its head yet", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	return mux
}
