//go:build e2e

package e2e

import (
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitward/gitward/pkg/webhookserver"
)

// scopeRecorder is a webhook that decides nothing: it records which
// identity reached which path and denies every review with
// scopeRecorderDenial, so a test can tell, through the real API server,
// what the shipped configuration sends and what it keeps away.
type scopeRecorder struct {
	url string // https://127.0.0.1:<port>
	ca  []byte

	mu   sync.Mutex
	seen []scopeReview
}

// scopeReview is one review the recorder received.
type scopeReview struct {
	path, user, resource string
}

const scopeRecorderDenial = "reached the scope recorder"

// startScopeRecorder serves the recorder on loopback with a certificate for
// 127.0.0.1, on every path (the configuration decides which it calls).
func startScopeRecorder(t *testing.T) *scopeRecorder {
	t.Helper()
	certs, err := webhookserver.GenerateCerts([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certs.TLSCert, certs.TLSKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	r := &scopeRecorder{url: "https://" + ln.Addr().(*net.TCPAddr).String(), ca: certs.CACert}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r
}

func (r *scopeRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(req.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
		return
	}
	res := review.Request.Resource.Resource
	if review.Request.SubResource != "" {
		res += "/" + review.Request.SubResource
	}
	r.mu.Lock()
	r.seen = append(r.seen, scopeReview{path: req.URL.Path, user: review.Request.UserInfo.Username, resource: res})
	r.mu.Unlock()
	review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: false,
		Result: &metav1.Status{Code: http.StatusForbidden, Message: scopeRecorderDenial + " on " + req.URL.Path}}
	review.Request = nil
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(&review)
}

// take returns and forgets what the recorder received.
func (r *scopeRecorder) take() []scopeReview {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.seen
	r.seen = nil
	return out
}
