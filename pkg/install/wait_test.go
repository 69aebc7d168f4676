package install

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
)

// The fake clientset stands in for the API server: this tests what
// WaitForWebhook looks at, not the API server's service proxy (the
// end-to-end tests on a node do).
func TestWaitForWebhook(t *testing.T) {
	reached := func(context.Context, kubernetes.Interface, string) error { return nil }
	labels := map[string]string{"app.kubernetes.io/name": webhookName}
	two := int32(2)
	deploy := func(available int32) *appsv1.Deployment {
		return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: webhookName, Namespace: "gw"},
			Spec:   appsv1.DeploymentSpec{Replicas: &two, Selector: &metav1.LabelSelector{MatchLabels: labels}},
			Status: appsv1.DeploymentStatus{AvailableReplicas: available}}
	}
	pulling := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "gitward-webhook-1", Namespace: "gw", Labels: labels},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{State: corev1.ContainerState{
			Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "pull ghcr.io/gitward/gitward:v9: not found"}}}}}}
	vwc := func(ca []byte) *admissionv1.ValidatingWebhookConfiguration {
		return &admissionv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: webhookName},
			Webhooks: []admissionv1.ValidatingWebhook{{Name: "objects.gitward.dev", ClientConfig: admissionv1.WebhookClientConfig{CABundle: ca}}}}
	}
	t.Run("image not pulled: times out naming the reason", func(t *testing.T) {
		var out bytes.Buffer
		err := WaitForWebhook(t.Context(), WaitOptions{Kube: fake.NewClientset(deploy(0), pulling, vwc(nil)), Namespace: "gw", Reach: reached,
			Timeout: 50 * time.Millisecond, Poll: 10 * time.Millisecond, Out: &out})
		if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "0/2 replicas available (gitward-webhook-1: ImagePullBackOff pull ghcr.io/gitward/gitward:v9: not found)") {
			t.Errorf("error %v", err)
		}
		if strings.Count(out.String(), "waiting for the webhook") != 1 {
			t.Errorf("progress should be said once per change:\n%s", out.String())
		}
	})
	t.Run("no caBundle yet", func(t *testing.T) {
		err := WaitForWebhook(t.Context(), WaitOptions{Kube: fake.NewClientset(deploy(1), vwc(nil)), Namespace: "gw", Reach: reached,
			Timeout: 50 * time.Millisecond, Poll: 10 * time.Millisecond})
		if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "no caBundle yet") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("the API server cannot reach the Service", func(t *testing.T) {
		unreached := func(context.Context, kubernetes.Interface, string) error { return errors.New("no endpoints available") }
		err := WaitForWebhook(t.Context(), WaitOptions{Kube: fake.NewClientset(deploy(2), vwc([]byte("ca"))), Namespace: "gw", Reach: unreached,
			Timeout: 50 * time.Millisecond, Poll: 10 * time.Millisecond})
		if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "Service gw/gitward-webhook: the API server cannot reach it yet: no endpoints available") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("ready", func(t *testing.T) {
		var out bytes.Buffer
		err := WaitForWebhook(t.Context(), WaitOptions{Kube: fake.NewClientset(deploy(1), vwc([]byte("ca"))), Namespace: "gw", Reach: reached,
			Timeout: time.Second, Poll: 10 * time.Millisecond, Out: &out})
		if err != nil || !strings.Contains(out.String(), "ready (1/2 replicas available") {
			t.Errorf("error %v, output %q", err, out.String())
		}
	})
}

func TestMissingSecrets(t *testing.T) {
	o := Options{Namespace: "gw", Git: GitCredentials{Secret: "git"}, PushWebhookSecret: "hook"}
	kube := fake.NewClientset(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "hook", Namespace: "gw"}})
	notes := MissingSecrets(t.Context(), kube, o)
	if len(notes) != 1 || !strings.Contains(notes[0], "Secret gw/git does not exist yet") {
		t.Errorf("notes %q", notes)
	}
}
