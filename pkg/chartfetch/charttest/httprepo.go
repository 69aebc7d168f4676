package charttest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"sigs.k8s.io/yaml"
)

// HTTPRepo is a Helm chart repository served on loopback: /index.yaml and
// /charts/<name>-<version>.tgz.
type HTTPRepo struct {
	// URL is the repository URL (no trailing slash).
	URL string
	// Archives counts archive downloads, Indexes index downloads.
	Archives, Indexes atomic.Int64

	mu       sync.Mutex
	charts   []Archive
	user     string
	password string
	// Tamper, when set, replaces an archive's bytes as served (the index
	// keeps the true digest).
	Tamper func([]byte) []byte
}

// NewHTTPRepo serves charts until the test ends. With user set, every
// request needs that basic authentication.
func NewHTTPRepo(t testing.TB, user, password string, charts ...Archive) *HTTPRepo {
	r := &HTTPRepo{charts: charts, user: user, password: password}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Add publishes another chart version.
func (r *HTTPRepo) Add(a Archive) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.charts = append(r.charts, a)
}

func (r *HTTPRepo) serve(w http.ResponseWriter, req *http.Request) {
	if r.user != "" {
		if u, p, ok := req.BasicAuth(); !ok || u != r.user || p != r.password {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	r.mu.Lock()
	charts := append([]Archive(nil), r.charts...)
	r.mu.Unlock()
	if req.URL.Path == "/index.yaml" {
		r.Indexes.Add(1)
		b, err := index(charts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(b)
		return
	}
	for _, c := range charts {
		if req.URL.Path == "/charts/"+c.Name+"-"+c.Version+".tgz" {
			r.Archives.Add(1)
			data := c.Data
			if r.Tamper != nil {
				data = r.Tamper(append([]byte(nil), data...))
			}
			_, _ = w.Write(data)
			return
		}
	}
	http.NotFound(w, req)
}

// index writes the index.yaml of charts as `helm repo index` does, with
// relative URLs.
func index(charts []Archive) ([]byte, error) {
	entries := map[string][]map[string]any{}
	for _, c := range charts {
		sum := sha256.Sum256(c.Data)
		entries[c.Name] = append(entries[c.Name], map[string]any{
			"apiVersion": "v2", "name": c.Name, "version": c.Version,
			"urls":   []string{fmt.Sprintf("charts/%s-%s.tgz", c.Name, c.Version)},
			"digest": hex.EncodeToString(sum[:]),
		})
	}
	return yaml.Marshal(map[string]any{"apiVersion": "v1", "entries": entries})
}

// Host is the repository's host:port, as a Credential names it.
func (r *HTTPRepo) Host() string { return strings.TrimPrefix(r.URL, "http://") }
