//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/pkg/provenance"
)

// controllerDecisions returns the webhook's decision log lines for requests
// on resource by the kube-system service account sa.
func controllerDecisions(logs, sa, resource string) []string {
	var out []string
	user := `"user":"system:serviceaccount:kube-system:` + sa + `"`
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `"msg":"decision"`) && strings.Contains(line, user) &&
			strings.Contains(line, `"resource":"`+resource+`"`) {
			out = append(out, line)
		}
	}
	return out
}

// decisionCount reads gitward_webhook_decisions_total{action,reason},
// summed over the webhooks, from the webhook's /metrics.
func decisionCount(t *testing.T, probe, action, reason string) float64 {
	t.Helper()
	return metricSum(t, probe, `gitward_webhook_decisions_total{action="`+action+`",reason="`+reason+`"`)
}

// metricSum adds up the samples of /metrics whose name and labels start
// with prefix (a name, or a name and its first labels, sorted as
// Prometheus writes them).
func metricSum(t *testing.T, probe, prefix string) float64 {
	t.Helper()
	resp, err := http.Get(probe + "/metrics")
	if err != nil {
		t.Fatalf("read metrics: %v", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 4<<20))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	sum := 0.0
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, prefix)
		// The prefix must end at a name or a label, not inside one.
		if !ok || rest == "" || !strings.ContainsAny(rest[:1], "{,} ") {
			continue
		}
		n, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric %s: %v", line, err)
		}
		sum += n
	}
	return sum
}

// registerControllerTraffic registers a second ValidatingWebhookConfiguration
// that sends what the deployment controller writes in managed namespaces
// (Deployment status, ReplicaSets) to the webhook at url. It fails open, so
// that it never blocks anything else; the returned function removes it.
func registerControllerTraffic(t *testing.T, kube kubernetes.Interface, url string, ca []byte) func() {
	t.Helper()
	ignore, none := admissionregistrationv1.Ignore, admissionregistrationv1.SideEffectClassNone
	timeout := int32(5)
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "gitward-webhook-controller-traffic"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "controller-traffic.gitward.dev",
			AdmissionReviewVersions: []string{"v1"},
			SideEffects:             &none,
			FailurePolicy:           &ignore,
			TimeoutSeconds:          &timeout,
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: ca},
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: provenance.LabelSource, Operator: metav1.LabelSelectorOpExists}}},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule: admissionregistrationv1.Rule{APIGroups: []string{"apps"}, APIVersions: []string{"v1"},
					Resources: []string{"deployments/status", "replicasets", "replicasets/status"}},
			}},
		}},
	}
	api := kube.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	if _, err := api.Create(t.Context(), vwc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	removed := false
	remove := func() {
		if removed {
			return
		}
		removed = true
		if err := api.Delete(context.Background(), vwc.Name, metav1.DeleteOptions{}); err != nil {
			t.Errorf("remove %s: %v", vwc.Name, err)
		}
	}
	t.Cleanup(remove)
	return remove
}
