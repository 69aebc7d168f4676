package localcluster

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
)

func TestWriteKubeconfig(t *testing.T) {
	p, err := newPKI(time.Now())
	if err != nil {
		t.Fatalf("newPKI: %v", err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	const server = "https://127.0.0.1:6443"
	if err := writeKubeconfig(path, server, p.ca.certPEM, adminUser, p.admin); err != nil {
		t.Fatalf("writeKubeconfig: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}

	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	want := restConfig(server, p.ca.certPEM, p.admin)
	if cfg.Host != want.Host {
		t.Errorf("Host = %q, want %q", cfg.Host, want.Host)
	}
	for _, c := range []struct {
		name      string
		got, want []byte
	}{
		{"CA", cfg.CAData, want.CAData},
		{"certificate", cfg.CertData, want.CertData},
		{"key", cfg.KeyData, want.KeyData},
	} {
		if len(c.got) == 0 || !bytes.Equal(c.got, c.want) {
			t.Errorf("%s in the kubeconfig differs from the REST config's", c.name)
		}
	}
}
