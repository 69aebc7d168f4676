package localcluster

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

// TestWebhookClient: the kubeconfig the AdmissionConfiguration names
// presents, for every host, a client certificate for WebhookClientName that
// the webhook client CA (and not the cluster CA) signed.
func TestWebhookClient(t *testing.T) {
	now := time.Now()
	w, err := newWebhookClient(now)
	if err != nil {
		t.Fatal(err)
	}
	f, err := w.write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}

	var ac struct {
		APIVersion, Kind string
		Plugins          []struct {
			Name          string
			Configuration struct {
				APIVersion, Kind string
				KubeConfigFile   string `json:"kubeConfigFile"`
			}
		}
	}
	data, err := os.ReadFile(f.admissionConfig)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &ac); err != nil {
		t.Fatal(err)
	}
	if ac.APIVersion != "apiserver.config.k8s.io/v1" || ac.Kind != "AdmissionConfiguration" || len(ac.Plugins) != 2 {
		t.Fatalf("admission configuration:\n%s", data)
	}
	for _, p := range ac.Plugins {
		c := p.Configuration
		if c.Kind != "WebhookAdmissionConfiguration" || c.KubeConfigFile != f.kubeconfig {
			t.Errorf("plugin %s: %+v", p.Name, c)
		}
	}

	kc, err := clientcmd.LoadFromFile(f.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	user := kc.AuthInfos["*"]
	if user == nil || len(kc.AuthInfos) != 1 {
		t.Fatalf("users %v, want one for every host (\"*\")", kc.AuthInfos)
	}
	cert := readCert(t, user.ClientCertificate)
	if cert.Subject.CommonName != WebhookClientName {
		t.Errorf("CN %q, want %q", cert.Subject.CommonName, WebhookClientName)
	}
	verifies := func(ca *x509.Certificate) bool {
		roots := x509.NewCertPool()
		roots.AddCert(ca)
		_, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
		return err == nil
	}
	if !verifies(readCert(t, f.caCert)) {
		t.Error("the webhook client CA does not verify the certificate")
	}
	cluster, err := newPKI(now)
	if err != nil {
		t.Fatal(err)
	}
	if verifies(cluster.ca.cert) {
		t.Error("a cluster CA verifies the webhook client certificate")
	}
	if !strings.HasPrefix(string(readFile(t, user.ClientKey)), "-----BEGIN PRIVATE KEY-----") {
		t.Error("no private key")
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode(readFile(t, path))
	if b == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
