package charttest

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Registry is an OCI registry (go-containerregistry's) on loopback.
type Registry struct {
	// Host is host:port; charts live at oci://<Host>/<path>.
	Host string
	// Blobs counts blob downloads.
	Blobs atomic.Int64
}

// NewRegistry serves an empty registry until the test ends. With user set,
// every request needs that basic authentication.
func NewRegistry(t testing.TB, user, password string) *Registry {
	r := &Registry{}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if user != "" {
			if u, p, ok := req.BasicAuth(); !ok || u != user || p != password {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		if req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/blobs/") {
			r.Blobs.Add(1)
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.Host = strings.TrimPrefix(srv.URL, "http://")
	return r
}

// rawManifest is a manifest pushed as it is.
type rawManifest []byte

func (m rawManifest) RawManifest() ([]byte, error) { return m, nil }
func (m rawManifest) MediaType() (types.MediaType, error) {
	return types.OCIManifestSchema1, nil
}

// Push pushes a as Helm does: oci://<Host>/<repo>/<name>:<version> (with
// "+" as "_"), config and layer in Helm's media types. It returns the
// manifest digest.
func (r *Registry) Push(t testing.TB, repo string, a Archive, opts ...remote.Option) string {
	t.Helper()
	ref, err := name.NewTag(r.Host + "/" + repo + "/" + a.Name + ":" + strings.ReplaceAll(a.Version, "+", "_"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(map[string]string{"apiVersion": "v2", "name": a.Name, "version": a.Version})
	cfgLayer := static.NewLayer(cfg, "application/vnd.cncf.helm.config.v1+json")
	chartLayer := static.NewLayer(a.Data, "application/vnd.cncf.helm.chart.content.v1.tar+gzip")
	desc := func(l v1.Layer) v1.Descriptor {
		d, _ := l.Digest()
		s, _ := l.Size()
		mt, _ := l.MediaType()
		return v1.Descriptor{MediaType: mt, Digest: d, Size: s}
	}
	for _, l := range []v1.Layer{cfgLayer, chartLayer} {
		if err := remote.WriteLayer(ref.Context(), l, opts...); err != nil {
			t.Fatalf("push %s: %v", ref, err)
		}
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, Config: desc(cfgLayer), Layers: []v1.Descriptor{desc(chartLayer)}}
	b, _ := json.Marshal(m)
	if err := remote.Put(ref, rawManifest(b), opts...); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
	h, _, _ := v1.SHA256(strings.NewReader(string(b)))
	return h.String()
}
