//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/gitward/gitward/tests/localcluster"
)

// poll is the interval of every wait below; the test's -timeout bounds them.
const poll = 200 * time.Millisecond

// TestCluster starts one control plane and checks, in order, that the
// controllers turn a Deployment into a ReplicaSet and Pods, that the API
// server calls an admission webhook served on loopback, and that Stop leaves
// no process and no folder behind.
func TestCluster(t *testing.T) {
	began := time.Now()
	c := localcluster.StartForTest(t, localcluster.Options{})
	t.Logf("control plane ready in %s at %s (folder %s)", time.Since(began).Round(time.Millisecond), c.Server, c.Dir)
	cs, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatalf("client: %v", err)
	}

	t.Run("kubeconfig", func(t *testing.T) {
		b, err := os.ReadFile(c.Kubeconfig)
		if err != nil || !strings.Contains(string(b), c.Server) {
			t.Errorf("kubeconfig %s does not name %s (read error: %v)", c.Kubeconfig, c.Server, err)
		}
	})
	t.Run("deployment makes a replicaset and pods", func(t *testing.T) {
		testDeployment(t, cs)
	})
	t.Run("webhook on loopback is called", func(t *testing.T) {
		testWebhook(t, cs)
	})
	t.Run("stop leaves no process", func(t *testing.T) {
		procs := c.Processes()
		if len(procs) != 3 {
			t.Fatalf("Processes() = %v, want etcd, kube-apiserver and kube-controller-manager", procs)
		}
		began := time.Now()
		if err := c.Stop(); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		t.Logf("stopped in %s", time.Since(began).Round(time.Millisecond))
		for _, p := range procs {
			if alive(p.PID, c.Dir) {
				t.Errorf("%s (pid %d) still runs after Stop", p.Name, p.PID)
			}
		}
		if _, err := os.Stat(c.Dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("cluster folder %s still exists after Stop (stat: %v)", c.Dir, err)
		}
		if err := c.Stop(); err != nil {
			t.Errorf("second Stop: %v", err)
		}
	})
}

func testDeployment(t *testing.T, cs kubernetes.Interface) {
	ctx := t.Context()
	ns := createNamespace(t, cs, "deploy", nil)
	labels := map[string]string{"app": "web"}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "web", Image: "registry.k8s.io/pause:3.10",
				}}},
			},
		},
	}
	dep, err := cs.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating Deployment %s/web: %v", ns, err)
	}

	var rs *appsv1.ReplicaSet
	waitFor(t, "a ReplicaSet owned by Deployment "+ns+"/web", func(ctx context.Context) (bool, error) {
		list, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for i := range list.Items {
			if metav1.IsControlledBy(&list.Items[i], dep) {
				rs = &list.Items[i]
				return true, nil
			}
		}
		return false, nil
	})
	waitFor(t, "2 Pods owned by ReplicaSet "+ns+"/"+rs.Name, func(ctx context.Context) (bool, error) {
		list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		owned := 0
		for i := range list.Items {
			if metav1.IsControlledBy(&list.Items[i], rs) {
				owned++
			}
		}
		return owned == 2, nil
	})
}

func testWebhook(t *testing.T, cs kubernetes.Interface) {
	ctx := t.Context()
	var calls atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var review admissionv1.AdmissionReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
			http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
			return
		}
		if review.Request.Kind.Kind == "ConfigMap" && strings.HasPrefix(review.Request.Name, "probe-") {
			calls.Add(1)
		}
		review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
		review.Request = nil
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(&review)
	}))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("webhook server listens on %s, want 127.0.0.1", srv.URL)
	}

	label := map[string]string{"localcluster-e2e/webhook": "on"}
	ns := createNamespace(t, cs, "webhook", label)
	caBundle := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	url := srv.URL + "/validate"
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "localcluster-e2e-" + ns},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "allow.localcluster.e2e",
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: caBundle},
			Rules:                   []admissionregistrationv1.RuleWithOperations{configMapCreate()},
			NamespaceSelector:       &metav1.LabelSelector{MatchLabels: label},
			FailurePolicy:           ptr.To(admissionregistrationv1.Fail),
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
			TimeoutSeconds:          ptr.To[int32](5),
		}},
	}
	if _, err := cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, cfg, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating ValidatingWebhookConfiguration %s: %v", cfg.Name, err)
	}
	t.Cleanup(func() {
		_ = cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(context.Background(), cfg.Name, metav1.DeleteOptions{})
	})

	// The API server picks the configuration up asynchronously: create
	// ConfigMaps until one is seen by the webhook. With failurePolicy Fail a
	// webhook the API server cannot reach makes the create fail.
	n := 0
	waitFor(t, "the webhook at "+url+" to be called", func(ctx context.Context) (bool, error) {
		n++
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "probe-" + strconv.Itoa(n), Namespace: ns}}
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			return false, err
		}
		return calls.Load() > 0, nil
	})
	t.Logf("webhook called %d time(s) over %d create(s)", calls.Load(), n)
}

func configMapCreate() admissionregistrationv1.RuleWithOperations {
	return admissionregistrationv1.RuleWithOperations{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
		Rule: admissionregistrationv1.Rule{
			APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"},
		},
	}
}

// createNamespace creates a namespace named after prefix with labels.
func createNamespace(t *testing.T, cs kubernetes.Interface, prefix string, labels map[string]string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-", Labels: labels}}
	ns, err := cs.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating a namespace %s-*: %v", prefix, err)
	}
	return ns.Name
}

// waitFor polls cond until it holds, logging the last error on failure. It
// has no deadline of its own: the test's -timeout bounds it.
func waitFor(t *testing.T, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	var last error
	err := wait.PollUntilContextCancel(t.Context(), poll, true, func(ctx context.Context) (bool, error) {
		ok, err := cond(ctx)
		if err != nil {
			last = err
			return false, nil
		}
		return ok, nil
	})
	if err != nil {
		t.Fatalf("waiting for %s: %v (last error: %v)", what, err, last)
	}
}

// alive reports whether pid is a live process whose command line names dir
// (so that a reused pid does not count; a zombie's command line is empty).
func alive(pid int, dir string) bool {
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	return err == nil && strings.Contains(string(cmdline), dir)
}
