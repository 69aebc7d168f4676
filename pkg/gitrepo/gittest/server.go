package gittest

import (
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"testing"
)

// ServerOptions configures NewServer.
type ServerOptions struct {
	// Username and Password, when Password is set, make the server require
	// HTTP basic authentication with exactly these credentials (401 otherwise).
	Username, Password string
}

// Server serves one bare repository with the real `git http-backend`
// (smart HTTP, through net/http/cgi) on 127.0.0.1.
type Server struct {
	// URL is the repository's clone URL: http://127.0.0.1:<port>/<name>.
	URL string

	srv *httptest.Server
}

// ServeHTTP serves the bare repository at bareDir anonymously until the test
// ends and returns its clone URL. See NewServer to require credentials or to
// stop the server early.
func ServeHTTP(t testing.TB, bareDir string) string {
	t.Helper()
	return NewServer(t, bareDir, ServerOptions{}).URL
}

// NewServer serves the bare repository at bareDir until Close or the end of
// the test. Pushes into bareDir (Repo.Push) are visible to the next request.
func NewServer(t testing.TB, bareDir string, o ServerOptions) *Server {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("gittest: git is not installed: %v", err)
	}
	bareDir, err = filepath.Abs(bareDir)
	if err != nil {
		t.Fatalf("gittest: %v", err)
	}
	backend := &cgi.Handler{
		Path: gitBin,
		Args: []string{"http-backend"},
		Dir:  filepath.Dir(bareDir),
		Env: append(Env(),
			"GIT_PROJECT_ROOT="+filepath.Dir(bareDir),
			"GIT_HTTP_EXPORT_ALL=1",
		),
	}
	var h http.Handler = backend
	if o.Password != "" {
		h = requireBasicAuth(o.Username, o.Password, backend)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Server{URL: srv.URL + "/" + filepath.Base(bareDir), srv: srv}
}

// Close stops the server: later requests fail with "connection refused".
// It is safe to call more than once.
func (s *Server) Close() { s.srv.Close() }

func requireBasicAuth(user, password string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="gittest"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
