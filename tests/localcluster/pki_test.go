package localcluster

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"k8s.io/client-go/util/keyutil"
)

func TestNewPKI(t *testing.T) {
	now := time.Now()
	p, err := newPKI(now)
	if err != nil {
		t.Fatalf("newPKI: %v", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(p.ca.cert)
	if !p.ca.cert.IsCA {
		t.Errorf("CA certificate is not a CA")
	}

	tests := []struct {
		name   string
		kp     *keyPair
		usage  x509.ExtKeyUsage
		cn     string
		orgs   []string
		dns    string // a name it must be valid for, servers only
		ipSANs []string
	}{
		{name: "serving", kp: p.serving, usage: x509.ExtKeyUsageServerAuth, cn: KubeAPIServer,
			dns: "localhost", ipSANs: []string{"127.0.0.1", "::1"}},
		{name: "admin", kp: p.admin, usage: x509.ExtKeyUsageClientAuth, cn: adminUser, orgs: []string{"system:masters"}},
		{name: "controller-manager", kp: p.controllerManager, usage: x509.ExtKeyUsageClientAuth,
			cn: "system:kube-controller-manager"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.kp.cert
			if c.Subject.CommonName != tc.cn {
				t.Errorf("CN = %q, want %q", c.Subject.CommonName, tc.cn)
			}
			if !slices.Equal(c.Subject.Organization, tc.orgs) {
				t.Errorf("O = %q, want %q", c.Subject.Organization, tc.orgs)
			}
			if _, err := c.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{tc.usage}, DNSName: tc.dns}); err != nil {
				t.Errorf("does not verify against the CA: %v", err)
			}
			for _, ip := range tc.ipSANs {
				if err := c.VerifyHostname(ip); err != nil {
					t.Errorf("not valid for %s: %v", ip, err)
				}
			}
			if c.NotBefore.After(now) || c.NotAfter.Before(now.Add(30*24*time.Hour)) {
				t.Errorf("validity %s..%s does not cover now and the next 30 days", c.NotBefore, c.NotAfter)
			}
			if _, err := tls.X509KeyPair(tc.kp.certPEM, tc.kp.keyPEM); err != nil {
				t.Errorf("PEM certificate and key do not pair: %v", err)
			}
		})
	}
}

func TestPKIWrite(t *testing.T) {
	p, err := newPKI(time.Now())
	if err != nil {
		t.Fatalf("newPKI: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "pki")
	f, err := p.write(dir)
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	for _, path := range []string{f.caCert, f.servingCert, f.servingKey, f.adminCert, f.adminKey,
		f.controllerManagerCert, f.controllerManagerKey, f.saKey, f.saPub} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Errorf("missing %s: %v", path, err)
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
		}
	}
	// The API server and the controller manager parse the service-account
	// keys with these functions.
	priv, err := keyutil.PrivateKeyFromFile(f.saKey)
	if err != nil {
		t.Fatalf("service-account key %s: %v", f.saKey, err)
	}
	pubs, err := keyutil.PublicKeysFromFile(f.saPub)
	if err != nil || len(pubs) != 1 {
		t.Fatalf("service-account public key %s: %v (%d keys)", f.saPub, err, len(pubs))
	}
	if pk, ok := priv.(crypto.Signer); !ok || !keysEqual(t, pk.Public(), pubs[0]) {
		t.Errorf("sa.pub is not the public half of sa.key")
	}
}

func keysEqual(t *testing.T, a, b any) bool {
	t.Helper()
	da, err := x509.MarshalPKIXPublicKey(a)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	db, err := x509.MarshalPKIXPublicKey(b)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return bytes.Equal(da, db)
}
