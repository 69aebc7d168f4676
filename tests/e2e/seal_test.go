//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/tests/localcluster"
)

var sealedSecretsGVR = schema.GroupVersionResource{Group: "bitnami.com", Version: "v1alpha1", Resource: "sealedsecrets"}

// sealEnv is a local control plane with the SealedSecret CRD, the real
// controller, and a freshly built kubectl-gitops.
type sealEnv struct {
	kube       kubernetes.Interface
	dyn        dynamic.Interface
	kubeconfig string
	plugin     string
	ctrl       *sealController
}

// TestSeal: what `kubectl gitops seal` produces, the real sealed-secrets
// controller turns into exactly the original Secret; under strict scope a
// renamed or moved SealedSecret does not open.
func TestSeal(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	cfg := c.RESTConfig()
	e := &sealEnv{kube: kubernetes.NewForConfigOrDie(cfg), dyn: dynamic.NewForConfigOrDie(cfg), kubeconfig: c.Kubeconfig}
	e.kubectl(t, "", "apply", "-f", sealCRDPath(t))
	e.kubectl(t, "", "wait", "--for=condition=Established", "--timeout=60s", "crd/sealedsecrets.bitnami.com")
	e.plugin = sealBuildPlugin(t, t.TempDir())
	e.ctrl = startSealController(t, cfg, e.kube)

	t.Run("certificate through the service proxy", func(t *testing.T) {
		if !e.ctrl.proxied {
			t.Skip("no non-loopback address for the controller: the API server's service proxy refuses loopback endpoints")
		}
		got := e.seal(t, "", "--fetch-cert")
		if got != string(e.ctrl.certPEM) {
			t.Fatalf("seal --fetch-cert printed\n%s\nwant the controller's certificate\n%s", got, e.ctrl.certPEM)
		}
	})
	certFile := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(certFile, e.ctrl.certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	certArgs := []string{"--cert", certFile}
	if e.ctrl.proxied {
		certArgs = nil // fetched from the controller, as a person would
	}

	original := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "seal-e2e", Labels: map[string]string{"app": "db"}},
		Type:       corev1.SecretTypeBasicAuth,
		Data: map[string][]byte{
			"username": []byte("admin"),
			"password": []byte("hunter2-TOPSECRET"),
			"binary":   {0, 1, 2, 0xff, 0xfe, '\n'},
		},
	}
	var sealedStrict string
	t.Run("round trip", func(t *testing.T) {
		e.namespace(t, "seal-e2e")
		in, err := yaml.Marshal(original)
		if err != nil {
			t.Fatal(err)
		}
		sealedStrict = e.seal(t, string(in), certArgs...)
		if strings.Contains(sealedStrict, "hunter2") {
			t.Fatal("the SealedSecret holds the plaintext")
		}
		e.kubectl(t, sealedStrict, "create", "-f", "-")
		got := e.waitSecret(t, "seal-e2e", "db")
		if !maps.EqualFunc(got.Data, original.Data, bytes.Equal) || got.Type != original.Type || got.Labels["app"] != "db" {
			t.Fatalf("the controller made Secret type %q labels %v data %q, want type %q labels %v data %q",
				got.Type, got.Labels, got.Data, original.Type, original.Labels, original.Data)
		}
	})

	t.Run("1,000 values", func(t *testing.T) {
		e.namespace(t, "seal-e2e-big")
		args := append([]string{"-n", "seal-e2e-big", "--name", "big"}, certArgs...)
		want := map[string][]byte{}
		for i := range 1000 {
			k, v := fmt.Sprintf("key-%04d", i), fmt.Sprintf("value-%d-%s", i, strings.Repeat("x", 40))
			want[k] = []byte(v)
			args = append(args, "--from-literal", k+"="+v)
		}
		e.kubectl(t, e.seal(t, "", args...), "create", "-f", "-")
		got := e.waitSecret(t, "seal-e2e-big", "big")
		if !maps.EqualFunc(got.Data, want, bytes.Equal) {
			t.Fatalf("the controller opened %d keys, want the 1,000 sealed ones", len(got.Data))
		}
	})

	for _, tc := range []struct{ name, namespace, newName string }{
		{name: "strict scope: renamed", namespace: "seal-e2e", newName: "db-renamed"},
		{name: "strict scope: moved", namespace: "seal-e2e-moved", newName: "db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if sealedStrict == "" {
				t.Skip("round trip failed")
			}
			e.namespace(t, tc.namespace)
			moved := strings.Replace(sealedStrict, "  name: db\n  namespace: seal-e2e\n",
				fmt.Sprintf("  name: %s\n  namespace: %s\n", tc.newName, tc.namespace), 1)
			e.kubectl(t, moved, "create", "-f", "-")
			msg := e.waitSyncFailed(t, tc.namespace, tc.newName)
			if !strings.Contains(msg, "no key could decrypt secret") {
				t.Errorf("the controller reports %q, want a decryption failure", msg)
			}
			if _, err := e.kube.CoreV1().Secrets(tc.namespace).Get(t.Context(), tc.newName, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Errorf("Secret %s/%s: %v, want NotFound", tc.namespace, tc.newName, err)
			}
		})
	}
}

// seal runs `kubectl-gitops seal ARGS` with stdin against the cluster.
func (e *sealEnv) seal(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), e.plugin, append([]string{"seal", "--kubeconfig", e.kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubectl-gitops seal: %v\n%s", err, errOut.String())
	}
	return out.String()
}

func (e *sealEnv) kubectl(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), filepath.Join(sealToolsBin(t), "kubectl"), append([]string{"--kubeconfig", e.kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (e *sealEnv) namespace(t *testing.T, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := e.kube.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func (e *sealEnv) waitSecret(t *testing.T, namespace, name string) *corev1.Secret {
	t.Helper()
	var s *corev1.Secret
	sealEventually(t, fmt.Sprintf("the controller creates Secret %s/%s", namespace, name), 2*time.Minute, func() (bool, error) {
		var err error
		s, err = e.kube.CoreV1().Secrets(namespace).Get(t.Context(), name, metav1.GetOptions{})
		return err == nil, nil
	})
	return s
}

// waitSyncFailed waits for the SealedSecret's Synced condition to be False
// and returns its message.
func (e *sealEnv) waitSyncFailed(t *testing.T, namespace, name string) string {
	t.Helper()
	var msg string
	sealEventually(t, fmt.Sprintf("SealedSecret %s/%s reports Synced=False", namespace, name), 2*time.Minute, func() (bool, error) {
		u, err := e.dyn.Resource(sealedSecretsGVR).Namespace(namespace).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Synced" && m["status"] == "False" {
				msg, _ = m["message"].(string)
				return true, nil
			}
		}
		return false, nil
	})
	return msg
}

// sealCRDPath is the SealedSecret CRD shipped in the sealed-secrets module.
func sealCRDPath(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/bitnami-labs/sealed-secrets")
	cmd.Dir = sealRepoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("locating the sealed-secrets module: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "helm", "sealed-secrets", "crds", "bitnami.com_sealedsecrets.yaml")
}

// sealBuildPlugin builds kubectl-gitops into dir.
func sealBuildPlugin(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "kubectl-gitops")
	cmd := exec.Command("go", "build", "-o", out, "./plugins/kubectl-gitops")
	cmd.Dir = sealRepoRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building kubectl-gitops: %v\n%s", err, b)
	}
	return out
}
