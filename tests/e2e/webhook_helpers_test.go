//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/admitscope"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
	"github.com/gitward/gitward/pkg/webhookserver"
	whcmd "github.com/gitward/gitward/webhook/cmd"
)

// whGVR maps the kinds the webhook tests apply to their resources.
var whGVR = map[string]schema.GroupVersionResource{
	"Deployment": {Group: "apps", Version: "v1", Resource: "deployments"},
	"ConfigMap":  {Version: "v1", Resource: "configmaps"},
}

// whRepo is the Git side: a working repository and the bare one the webhook
// clones.
type whRepo struct {
	work *gittest.Repo
	bare string
}

// whWriteState writes the production overlay: a Deployment web (replicas,
// image), a ConfigMap settings (color), optionally a Deployment gc-demo, and a
// ConfigMap in shop-tmp.
func (r *whRepo) writeState(replicas int, image, color string, gcDemo bool) {
	shop := "namespace: shop\nresources: [deployment.yaml, configmap.yaml]\n"
	if gcDemo {
		shop = "namespace: shop\nresources: [deployment.yaml, configmap.yaml, gc-demo.yaml]\n"
	}
	r.work.WriteFile("overlays/production/kustomization.yaml", "resources: [shop, shop-tmp]\n")
	r.work.WriteFile("overlays/production/shop/kustomization.yaml", shop)
	r.work.WriteFile("overlays/production/shop/deployment.yaml", whDeployment("web", replicas, image))
	r.work.WriteFile("overlays/production/shop/gc-demo.yaml", whDeployment("gc-demo", 1, "registry.k8s.io/pause:3.9"))
	r.work.WriteFile("overlays/production/shop/configmap.yaml",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: "+color+"\n")
	r.work.WriteFile("overlays/production/shop-tmp/kustomization.yaml", "namespace: shop-tmp\nresources: [configmap.yaml]\n")
	r.work.WriteFile("overlays/production/shop-tmp/configmap.yaml",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tmp-settings\ndata:\n  color: grey\n")
}

func whDeployment(name string, replicas int, image string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
spec:
  replicas: %[2]d
  selector:
    matchLabels: {app: %[1]s}
  template:
    metadata:
      labels: {app: %[1]s}
    spec:
      containers:
        - name: web
          image: %[3]s
          resources:
            requests: {cpu: "0.1", memory: 16Mi}
`, name, replicas, image)
}

// commit commits the working tree and returns the commit id.
func (r *whRepo) commit(msg string) provenance.CommitID {
	return provenance.CommitID(r.work.Commit(msg))
}

// render returns the stamped objects of the overlay at commit c, as the agent
// would apply them.
func (r *whRepo) render(t *testing.T, c provenance.CommitID) []*unstructured.Unstructured {
	t.Helper()
	repo, err := gitrepo.Open(r.work.Dir)
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := repo.TreeFS(plumbing.NewHash(string(c)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := render.FS(t.Context(), fsys, "overlays/production", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Objects {
		if err := provenance.Stamp(u, "production", c); err != nil {
			t.Fatal(err)
		}
	}
	return res.Objects
}

// find returns the object kind/name from objs.
func find(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, u := range objs {
		if u.GetKind() == kind && u.GetName() == name {
			return u.DeepCopy()
		}
	}
	t.Fatalf("%s/%s is not in the rendering", kind, name)
	return nil
}

// apply server-side applies u with fieldManager, forcing conflicts.
func whApply(ctx context.Context, dyn dynamic.Interface, u *unstructured.Unstructured, manager string) error {
	body, err := json.Marshal(u.Object)
	if err != nil {
		return err
	}
	_, err = dyn.Resource(whGVR[u.GetKind()]).Namespace(u.GetNamespace()).Patch(ctx, u.GetName(),
		types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: manager, Force: ptrTo(true)})
	return err
}

func ptrTo[T any](v T) *T { return &v }

// warnings collects the warnings of API responses.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.list
	w.list = nil
	return out
}

// whClients are clients acting as one identity.
type whClients struct {
	kube     kubernetes.Interface
	dyn      dynamic.Interface
	warnings *warnings
}

func newClients(t *testing.T, base *rest.Config, impersonate *rest.ImpersonationConfig) whClients {
	t.Helper()
	cfg := rest.CopyConfig(base)
	if impersonate != nil {
		cfg.Impersonate = *impersonate
	}
	w := &warnings{}
	cfg.WarningHandler = w
	cfg.QPS, cfg.Burst = 200, 400
	return whClients{kube: kubernetes.NewForConfigOrDie(cfg), dyn: dynamic.NewForConfigOrDie(cfg), warnings: w}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// whServer is a running gitward-webhook serve, in process.
type whServer struct {
	url, probe string
	ca         []byte
	logs       *syncBuffer
	stop       func()
}

// freeAddr returns a free loopback address.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startWebhook runs the serve command's Options against the cluster, on
// loopback, with certificates for 127.0.0.1, and waits until it is ready.
// Each of opts may change the options (ignore rules, ...) before Complete.
func startWebhook(t *testing.T, kubeconfig, repoURL, mode string, opts ...func(*whcmd.ServeOptions)) *whServer {
	t.Helper()
	dir := t.TempDir()
	certs, err := webhookserver.GenerateCerts([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"tls.crt": certs.TLSCert, "tls.key": certs.TLSKey} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	logs := &syncBuffer{}
	o := whcmd.NewServeOptions(genericiooptions.IOStreams{Out: logs, ErrOut: logs})
	*o.ConfigFlags.KubeConfig = kubeconfig
	o.SourceNames, o.Repo, o.Branch, o.Path = []string{"production"}, repoURL, "main", "overlays/production"
	o.Mode, o.CertDir = mode, dir
	o.Addr, o.ProbeAddr = freeAddr(t), freeAddr(t)
	o.PollInterval, o.MinFetchInterval, o.FetchTimeout = time.Second, time.Millisecond, 4*time.Second
	o.Verbosity = 2
	for _, opt := range opts {
		opt(o)
	}
	if err := o.Complete(); err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	s := &whServer{url: "https://" + o.Addr + webhookserver.ValidatePath, probe: "http://" + o.ProbeAddr,
		ca: certs.CACert, logs: logs}
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("webhook: %v", err)
		}
	}
	t.Cleanup(s.stop)
	waitFor(t, "the webhook to be ready", func(context.Context) (bool, error) {
		select {
		case err := <-done:
			t.Fatalf("webhook exited: %v\n%s", err, logs)
		default:
		}
		resp, err := http.Get(s.probe + "/readyz")
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
	return s
}

// registerWebhook installs the ValidatingWebhookConfiguration of
// manifests/webhook as the product ships it (rules, selectors,
// matchConditions), each webhook pointed at url's server on loopback, on its
// own path, with caBundle ca.
func registerWebhook(t *testing.T, kube kubernetes.Interface, url string, ca []byte) {
	t.Helper()
	vwc := shippedWebhookConfiguration(t)
	for i := range vwc.Webhooks {
		vwc.Webhooks[i].ClientConfig = loopbackClientConfig(t, url, vwc.Webhooks[i].ClientConfig, ca)
	}
	applyWebhookConfiguration(t, kube, vwc)
}

// shippedWebhookConfiguration renders manifests/webhook (generated from
// pkg/admitscope) and returns its ValidatingWebhookConfiguration.
func shippedWebhookConfiguration(t *testing.T) *admissionregistrationv1.ValidatingWebhookConfiguration {
	t.Helper()
	res, err := render.Dir(t.Context(), "../..", "manifests/webhook", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Objects {
		if u.GetKind() == "ValidatingWebhookConfiguration" {
			vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, vwc); err != nil {
				t.Fatal(err)
			}
			return vwc
		}
	}
	t.Fatal("manifests/webhook has no ValidatingWebhookConfiguration")
	return nil
}

// loopbackClientConfig is the one place that builds a webhook's loopback
// URL: the scheme and address of url (a whServer's, with or without the
// legacy /validate path) followed by the path the shipped configuration
// gives the webhook's Service ("/validate/<short name>").
func loopbackClientConfig(t *testing.T, url string, shipped admissionregistrationv1.WebhookClientConfig, ca []byte) admissionregistrationv1.WebhookClientConfig {
	t.Helper()
	if shipped.Service == nil || shipped.Service.Path == nil {
		t.Fatal("the shipped webhook calls no Service path")
	}
	u := strings.TrimSuffix(strings.TrimSuffix(url, "/"), admitscope.ValidatePath) + *shipped.Service.Path
	return admissionregistrationv1.WebhookClientConfig{URL: &u, CABundle: ca}
}

// applyWebhookConfiguration creates vwc or replaces the one of that name.
func applyWebhookConfiguration(t *testing.T, kube kubernetes.Interface, vwc *admissionregistrationv1.ValidatingWebhookConfiguration) {
	t.Helper()
	api := kube.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	if old, err := api.Get(t.Context(), vwc.Name, metav1.GetOptions{}); err == nil {
		vwc.ResourceVersion = old.ResourceVersion
		if _, err := api.Update(t.Context(), vwc, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		return
	}
	if _, err := api.Create(t.Context(), vwc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// wantDenied fails unless err is a denial by gitward whose message holds every part.
func wantDenied(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: admitted, want denied", what)
		return
	}
	msg := err.Error()
	t.Logf("%s: %s", what, msg)
	if !strings.Contains(msg, "is managed by Git") {
		t.Errorf("%s: error %q is not gitward's denial", what, msg)
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%s: message lacks %q", what, p)
		}
	}
}

// namespaceObj is a Namespace with labels.
func namespaceObj(name string, labels map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

// adminIsTheAgent lets the cluster admin write with the agent's field
// manager: the tests that apply Git's content as the agent do it with the
// admin's client.
func adminIsTheAgent(o *whcmd.ServeOptions) { o.AgentUsers = []string{"localcluster-admin"} }
