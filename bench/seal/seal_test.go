// Package seal_test benchmarks `kubectl gitops seal` against kubeseal on a
// 1,000-value Secret (see compare.sh and docs/benchmarks.md). The tests here
// are helpers for compare.sh: TestWriteFixtures writes the key, certificate
// and Secret; TestVerify checks that an output opens, with sealed-secrets'
// own Unseal (the controller's code), to exactly the input Secret's data.
package seal_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bitnami-labs/sealed-secrets/pkg/crypto"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/gitward/gitward/pkg/seal"
)

var (
	fixtures = flag.String("fixtures", "", "folder of key.pem, cert.pem and secret.yaml (TestWriteFixtures writes it, TestVerify reads it)")
	verify   = flag.String("verify", "", "TestVerify: a SealedSecret output to open with fixtures/key.pem")
)

// values is the size of the benchmark Secret.
const values = 1000

// TestWriteFixtures writes a 4096-bit key (the controller's default size),
// its certificate and the 1,000-value Secret into -fixtures.
func TestWriteFixtures(t *testing.T) {
	if *fixtures == "" {
		t.Skip("-fixtures not set")
	}
	key, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "sealed-secret", Organization: []string{"sealed-secret"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	write(t, "cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	write(t, "key.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	write(t, "secret.yaml", []byte(secretYAML()))
}

// secretYAML is Secret bench/big with values key-0000..key-0999.
func secretYAML() string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Secret\nmetadata:\n  name: big\n  namespace: bench\ntype: Opaque\nstringData:\n")
	for i := range values {
		fmt.Fprintf(&b, "  key-%04d: value-%d-%s\n", i, i, strings.Repeat("x", 40))
	}
	return b.String()
}

func write(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(*fixtures, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestVerify opens -verify with the fixture key through sealed-secrets'
// Unseal and compares the result with the fixture Secret.
func TestVerify(t *testing.T) {
	if *fixtures == "" || *verify == "" {
		t.Skip("-fixtures or -verify not set")
	}
	keyPEM, err := os.ReadFile(filepath.Join(*fixtures, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(keyPEM)
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := crypto.PublicKeyFingerprint(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(*verify)
	if err != nil {
		t.Fatal(err)
	}
	ss, _, err := seal.DecodeSealedSecret(out, *verify)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ss.Unseal(scheme.Codecs, map[string]*rsa.PrivateKey{fp: key})
	if err != nil {
		t.Fatalf("%s does not open: %v", *verify, err)
	}
	ins, err := seal.ReadSecrets(strings.NewReader(secretYAML()), "fixture")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	for k, v := range ins[0].StringData {
		want[k] = []byte(v)
	}
	if !maps.EqualFunc(got.Data, want, bytes.Equal) || len(got.Data) != values {
		t.Fatalf("%s opens to %d keys that differ from the %d sealed", *verify, len(got.Data), values)
	}
	if got.Name != "big" || got.Namespace != "bench" {
		t.Fatalf("%s opens as %s/%s", *verify, got.Namespace, got.Name)
	}
}

// BenchmarkSeal1000 seals the 1,000-value Secret in process (YAML out),
// with a 4096-bit key, on all cores and on one.
func BenchmarkSeal1000(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		b.Fatal(err)
	}
	in := secretYAML()
	for _, workers := range []int{0, 1} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			s := &seal.Sealer{Key: &key.PublicKey, Workers: workers}
			for b.Loop() {
				secs, err := seal.ReadSecrets(strings.NewReader(in), "bench")
				if err != nil {
					b.Fatal(err)
				}
				ss, err := s.Seal(context.Background(), secs[0], seal.SealOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if err := seal.Encode(io.Discard, seal.FormatYAML, ss); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
