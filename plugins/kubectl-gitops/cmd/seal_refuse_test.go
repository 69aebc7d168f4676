package cmd

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/seal"
)

func TestSealRefuses(t *testing.T) {
	e := newSealEnv(t)
	cert := "--cert=" + e.path("cert.pem")
	lit := "--from-literal=password=" + sealPlaintext
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr error
	}{
		{name: "expired certificate", args: []string{"--cert", e.path("expired.pem"), "-n", "prod", "--name", "db", lit}, wantErr: seal.ErrCertificateExpired},
		{name: "non-RSA certificate", args: []string{"--cert", e.path("ecdsa.pem"), "-n", "prod", "--name", "db", lit}, wantErr: seal.ErrNotRSA},
		{name: "not a certificate", args: []string{"--cert", e.path("password.txt"), "-n", "prod", "--name", "db", lit}, wantErr: seal.ErrNoCertificate},
		{name: "missing certificate file", args: []string{"--cert", e.path("none.pem"), "-n", "prod", "--name", "db", lit}},
		{name: "missing name", args: []string{cert, "-n", "prod", lit}, wantErr: seal.ErrMissingName},
		{name: "missing namespace", args: []string{cert, "--name", "db", lit}, wantErr: seal.ErrMissingNamespace},
		{name: "missing namespace, namespace-wide", args: []string{cert, "--scope", "namespace-wide", lit}, wantErr: seal.ErrMissingNamespace},
		{name: "raw without name", stdin: sealPlaintext, args: []string{cert, "--raw", "-n", "prod"}, wantErr: seal.ErrMissingName},
		{name: "raw without namespace", stdin: sealPlaintext, args: []string{cert, "--raw", "--name", "db"}, wantErr: seal.ErrMissingNamespace},
		{name: "namespace mismatch", stdin: sealInputSecret, args: []string{cert, "-n", "dev"}, wantErr: seal.ErrNamespaceMismatch},
		{name: "empty data", stdin: "kind: Secret\nmetadata: {name: db, namespace: prod}\n", args: []string{cert}, wantErr: seal.ErrEmptySecret},
		{name: "not a Secret", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: " + sealPlaintext + "}\n", args: []string{cert}, wantErr: seal.ErrNotSecret},
		{name: "empty input", args: []string{cert}, wantErr: seal.ErrNoSecrets},
		{name: "malformed YAML", stdin: "kind: Secret\nstringData:\n  password: " + sealPlaintext + "\n bad: [\n", args: []string{cert}},
		{name: "data not base64", stdin: "kind: Secret\nmetadata: {name: db, namespace: prod}\ndata: {password: " + sealPlaintext + "}\n", args: []string{cert}},
		{name: "literal without =", args: []string{cert, "-n", "prod", "--name", "db", "--from-literal", sealPlaintext}, wantErr: seal.ErrInvalidSource},
		{name: "env file line without =", args: []string{cert, "-n", "prod", "--name", "db", "--from-env-file", e.write(t, "bad.env", "my "+sealPlaintext+"\n")}, wantErr: seal.ErrInvalidSource},
		{name: "bad scope", args: []string{cert, "--scope", "global", lit}, wantErr: seal.ErrInvalidScope},
		{name: "bad output", args: []string{cert, "-o", "xml", lit}, wantErr: seal.ErrInvalidFormat},
		{name: "-f and --from-*", args: []string{cert, "-f", e.path("app.env"), lit}, wantErr: errSealUsage},
		{name: "--type without --from-*", args: []string{cert, "--type", "Opaque"}, wantErr: errSealUsage},
		{name: "raw and merge-into", args: []string{cert, "--raw", "--merge-into", e.path("x.yaml")}, wantErr: errSealUsage},
		{name: "merge into a Secret", args: []string{cert, "--merge-into", e.write(t, "plain.yaml", "apiVersion: v1\nkind: Secret\n"), lit}, wantErr: seal.ErrNotSealedSecret},
		{name: "positional argument", args: []string{cert, "secret.yaml"}},
	}
	var report strings.Builder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(t, tt.stdin, tt.args...)
			if r.err == nil {
				t.Fatalf("seal %v: no error", tt.args)
			}
			if tt.wantErr != nil && !errors.Is(r.err, tt.wantErr) {
				t.Errorf("error %q does not wrap %v", r.err, tt.wantErr)
			}
			if r.stdout != "" {
				t.Errorf("stdout after an error: %q", r.stdout)
			}
			fmt.Fprintf(&report, "%s:\n  %s\n", tt.name, e.normalize(r.err.Error()))
		})
	}
	golden(t, "seal/refusals.txt", report.String())
}

// TestSealFetchCert goes through the API server's service proxy, as
// kubeseal does, on a stand-in API server.
func TestSealFetchCert(t *testing.T) {
	e := newSealEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/namespaces/sealed/services/ctrl":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"kind":"Service","apiVersion":"v1","metadata":{"name":"ctrl"},"spec":{"ports":[{"name":"web","port":8080}]}}`))
		case "/api/v1/namespaces/sealed/services/http:ctrl:web/proxy/v1/cert.pem":
			_, _ = w.Write(e.kp.CertPEM)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctrl := []string{"--server", srv.URL, "--controller-namespace", "sealed", "--controller-name", "ctrl"}

	r := e.run(t, "", append(ctrl, "--fetch-cert")...)
	if r.err != nil || r.stdout != string(e.kp.CertPEM) {
		t.Fatalf("seal --fetch-cert: %v, printed %q", r.err, r.stdout)
	}
	r = e.run(t, "", append(ctrl, "-n", "prod", "--name", "db", "--from-literal", "password="+sealPlaintext)...)
	if r.err != nil {
		t.Fatalf("seal with the fetched certificate: %v", r.err)
	}
	if got := e.unsealAll(t, r.stdout); got["prod/db"]["password"] != sealPlaintext {
		t.Errorf("the controller opens %v", got)
	}
	r = e.run(t, "", "--server", srv.URL, "-n", "prod", "--name", "db", "--from-literal", "k=v")
	if r.err == nil || !strings.Contains(r.err.Error(), "kube-system/sealed-secrets-controller") {
		t.Errorf("seal with no controller: error %v, want one naming kube-system/sealed-secrets-controller", r.err)
	}
}
