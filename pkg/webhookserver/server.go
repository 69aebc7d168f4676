package webhookserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
)

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
	// Webhook is the admission handler (see Webhook), served on every
	// webhook's path (see Routes).
	Webhook http.Handler
	// ClientCAFile, when set, is a PEM bundle: callers must present a
	// client certificate it signed (the API server's, from its admission
	// kubeconfig), or the handshake fails and no review is read. The file
	// is re-read every ClientCAReload (DefaultClientCAReload when zero).
	ClientCAFile   string
	ClientCAReload time.Duration
	// ClientNames, when set with ClientCAFile, are the allowed common or
	// DNS names of client certificates; empty allows any the CA signed.
	ClientNames []string
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
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: cw.GetCertificate}
	authn, err := s.clientAuth(ctx)
	if err != nil {
		return err
	}
	if authn != nil {
		authn.configure(tlsConfig)
	}
	srv := &http.Server{
		Handler:           Routes(s.Webhook, authn != nil),
		TLSConfig:         tlsConfig,
		ErrorLog:          stdlog.New(logWriter{s.Log.WithName("http")}, "", 0),
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
	s.Log.Info("serving", "addr", ln.Addr().String(), "paths", servedPaths(), "clientAuthentication", authn != nil)
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

// clientAuth loads the client CA bundle and starts watching it; without a
// bundle it warns that anyone who reaches the port is believed.
func (s *Server) clientAuth(ctx context.Context) (*clientAuth, error) {
	if s.ClientCAFile == "" {
		s.Log.Info("WARNING: no --client-ca-file: unauthenticated callers can send reviews; restrict ingress with the NetworkPolicy " +
			"(manifests/webhook/networkpolicy.yaml). Break-glass Events are not written for unauthenticated callers.")
		return nil, nil
	}
	a, err := newClientAuth(s.ClientCAFile, s.ClientNames)
	if err != nil {
		return nil, fmt.Errorf("webhook server: %w", err)
	}
	if len(s.ClientNames) == 0 {
		s.Log.Info("WARNING: no --client-name: any client certificate the client CA signed is accepted", "file", s.ClientCAFile)
	}
	reload := s.ClientCAReload
	if reload <= 0 {
		reload = DefaultClientCAReload
	}
	go a.watch(ctx, reload, s.Log)
	return a, nil
}

// servedPaths lists the paths Routes serves.
func servedPaths() []string {
	paths := []string{ValidatePath}
	for _, n := range WebhookNames() {
		paths = append(paths, WebhookPath(n))
	}
	return paths
}

// logWriter turns net/http's error log (refused TLS handshakes among it)
// into log lines.
type logWriter struct{ log logr.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.log.Info(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
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
