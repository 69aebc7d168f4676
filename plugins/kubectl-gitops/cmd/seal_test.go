package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/seal/sealtest"
)

// sealPlaintext must never appear on stdout, stderr, in an error or a file
// other than the input.
const sealPlaintext = "hunter2-TOPSECRET"

var (
	sealKeyOnce sync.Once
	sealKP      *sealtest.KeyPair
)

// sealEnv is a folder with the certificates and inputs the seal tests use.
type sealEnv struct {
	dir string
	kp  *sealtest.KeyPair
}

func newSealEnv(t *testing.T) *sealEnv {
	t.Helper()
	sealKeyOnce.Do(func() { sealKP = sealtest.NewKeyPair(t, sealtest.CertOptions{}) })
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "no-kubeconfig"))
	e := &sealEnv{dir: t.TempDir(), kp: sealKP}
	expired := sealtest.NewKeyPair(t, sealtest.CertOptions{
		NotBefore: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:  time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	e.write(t, "cert.pem", string(e.kp.CertPEM))
	e.write(t, "expired.pem", string(expired.CertPEM))
	e.write(t, "ecdsa.pem", string(sealtest.NewECDSACertPEM(t)))
	e.write(t, "password.txt", sealPlaintext)
	e.write(t, "app.env", "# app settings\nUSER=admin\nPASSWORD="+sealPlaintext+"\n")
	return e
}

func (e *sealEnv) path(name string) string { return filepath.Join(e.dir, name) }

func (e *sealEnv) write(t *testing.T, name, content string) string {
	t.Helper()
	if err := os.WriteFile(e.path(name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return e.path(name)
}

// sealResult is what one `kubectl gitops seal` run printed.
type sealResult struct {
	stdout, stderr string
	err            error
}

// run runs `kubectl gitops seal ARGS` through the root command, with stdin.
func (e *sealEnv) run(t *testing.T, stdin string, args ...string) sealResult {
	t.Helper()
	streams, in, out, errOut := genericiooptions.NewTestIOStreams()
	in.WriteString(stdin)
	root := NewCmdGitops(streams)
	root.SetArgs(append([]string{"seal"}, args...))
	root.SetOut(out)
	root.SetErr(errOut)
	err := root.Execute()
	r := sealResult{stdout: out.String(), stderr: errOut.String(), err: err}
	for what, s := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "error": errString(err)} {
		if strings.Contains(s, sealPlaintext) {
			t.Errorf("seal %v: the plaintext reached %s", args, what)
		}
	}
	return r
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// unsealAll opens every SealedSecret in out with the test key, through
// sealed-secrets' own Unseal, and returns their data by "ns/name".
func (e *sealEnv) unsealAll(t *testing.T, out string) map[string]map[string]string {
	t.Helper()
	res := map[string]map[string]string{}
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(out), 4096)
	for {
		var ss ssv1alpha1.SealedSecret
		if err := dec.Decode(&ss); err != nil {
			break
		}
		sec, err := e.kp.Unseal(&ss)
		if err != nil {
			t.Fatalf("the controller's Unseal cannot open %s/%s: %v", ss.Namespace, ss.Name, err)
		}
		data := map[string]string{}
		for k, v := range sec.Data {
			data[k] = string(v)
		}
		res[ss.Namespace+"/"+ss.Name] = data
	}
	return res
}

// ciphertext matches a HybridEncrypt output, base64: the RSA length first.
var ciphertext = regexp.MustCompile(`A[g-jQ-Z][A-Za-z0-9+/]{100,}={0,2}`)

// normalize replaces what changes from run to run: ciphertexts and the
// temporary folder.
func (e *sealEnv) normalize(s string) string {
	s = ciphertext.ReplaceAllString(s, "<sealed>")
	return strings.ReplaceAll(s, e.dir, "TMP")
}

func mustFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
