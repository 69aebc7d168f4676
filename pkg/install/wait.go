package install

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
)

// ErrNotReady: the webhook did not become ready within the timeout.
var ErrNotReady = errors.New("the webhook is not ready")

// WaitOptions configures WaitForWebhook.
type WaitOptions struct {
	Kube      kubernetes.Interface
	Namespace string
	Timeout   time.Duration
	// Poll is the time between checks; default 1s.
	Poll time.Duration
	// Out receives a line each time what is awaited changes.
	Out io.Writer
	// Reach checks that the API server reaches the webhook's Service;
	// default ProxyReach (a unit test's fake clientset has no proxy).
	Reach func(ctx context.Context, kube kubernetes.Interface, namespace string) error
}

// ProxyReach asks the API server's service proxy for the webhook's port.
// Any HTTP answer from the webhook will do (it serves only POST reviews);
// the proxy's own 503, or no HTTP answer at all, means it reached no Pod.
func ProxyReach(ctx context.Context, kube kubernetes.Interface, namespace string) error {
	_, err := kube.CoreV1().Services(namespace).ProxyGet("https", webhookName, "webhook", "/healthz", nil).DoRaw(ctx)
	var status apierrors.APIStatus
	if err != nil && (!errors.As(err, &status) || status.Status().Code == 503 || status.Status().Code == 0) {
		return err
	}
	return nil
}

// WaitForWebhook waits until the webhook can answer the API server: its
// Deployment has an available replica, every webhook of its configuration
// has a caBundle (self-bootstrap or cert-manager filled it in), and the API
// server reaches the Service (a request through the API server's service
// proxy gets an HTTP answer from the webhook). Only then may the
// configuration fail closed without refusing every write.
func WaitForWebhook(ctx context.Context, o WaitOptions) error {
	if o.Poll == 0 {
		o.Poll = time.Second
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	last := ""
	for {
		state, ready := webhookState(ctx, o)
		if state != last {
			fmt.Fprintf(o.Out, "waiting for the webhook: %s\n", state)
			last = state
		}
		if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w after %s: %s", ErrNotReady, o.Timeout, last)
		case <-time.After(o.Poll):
		}
	}
}

// webhookState says what the webhook is waiting for, or that it is ready.
func webhookState(ctx context.Context, o WaitOptions) (string, bool) {
	d, err := o.Kube.AppsV1().Deployments(o.Namespace).Get(ctx, webhookName, metav1.GetOptions{})
	if err != nil {
		return fmt.Sprintf("Deployment %s/%s: %v", o.Namespace, webhookName, err), false
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	if d.Status.AvailableReplicas < 1 {
		return fmt.Sprintf("Deployment %s/%s: %d/%d replicas available%s", o.Namespace, webhookName,
			d.Status.AvailableReplicas, want, podProblems(ctx, o, d)), false
	}
	vwc, err := o.Kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, webhookName, metav1.GetOptions{})
	if err != nil {
		return fmt.Sprintf("ValidatingWebhookConfiguration %s: %v", webhookName, err), false
	}
	for _, w := range vwc.Webhooks {
		if len(w.ClientConfig.CABundle) == 0 {
			return fmt.Sprintf("ValidatingWebhookConfiguration %s: webhook %s has no caBundle yet (the webhook's self-bootstrap or cert-manager's CA injector sets it)",
				webhookName, w.Name), false
		}
	}
	reach := o.Reach
	if reach == nil {
		reach = ProxyReach
	}
	if err := reach(ctx, o.Kube, o.Namespace); err != nil {
		return fmt.Sprintf("Service %s/%s: the API server cannot reach it yet: %v", o.Namespace, webhookName, err), false
	}
	return fmt.Sprintf("ready (%d/%d replicas available, the API server reaches Service %s/%s)",
		d.Status.AvailableReplicas, want, o.Namespace, webhookName), true
}

// podProblems names why the webhook's Pods do not run: their waiting
// reasons (ImagePullBackOff, CrashLoopBackOff, ...) or Pending conditions.
func podProblems(ctx context.Context, o WaitOptions, d *appsv1.Deployment) string {
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		sel = labels.Everything()
	}
	pods, err := o.Kube.CoreV1().Pods(o.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil || len(pods.Items) == 0 {
		return " (no Pods yet)"
	}
	seen := map[string]bool{}
	for _, p := range pods.Items {
		for _, cs := range p.Status.ContainerStatuses {
			if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "ContainerCreating" {
				seen[fmt.Sprintf("%s: %s %s", p.Name, w.Reason, w.Message)] = true
			}
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status != corev1.ConditionTrue {
				seen[fmt.Sprintf("%s: not scheduled: %s", p.Name, c.Message)] = true
			}
		}
	}
	if len(seen) == 0 {
		return ""
	}
	var list []string
	for s := range seen {
		list = append(list, strings.TrimSpace(s))
	}
	sort.Strings(list)
	return " (" + strings.Join(list, "; ") + ")"
}

// MissingSecrets names the Secrets o mounts (Git credentials, the push
// webhook's secret) that do not exist yet: the Pods wait for them, so say
// so before waiting.
func MissingSecrets(ctx context.Context, kube kubernetes.Interface, o Options) []string {
	var notes []string
	for _, s := range []struct{ name, keys string }{
		{o.Git.Secret, GitTokenKey + ", or " + GitSSHKeyKey + " and " + GitKnownHostsKey},
		{o.PushWebhookSecret, "secret"},
	} {
		if s.name == "" {
			continue
		}
		if _, err := kube.CoreV1().Secrets(o.Namespace).Get(ctx, s.name, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			notes = append(notes, fmt.Sprintf("Secret %s/%s does not exist yet: the Pods that mount it wait until you create it (keys %s)",
				o.Namespace, s.name, s.keys))
		}
	}
	return notes
}
