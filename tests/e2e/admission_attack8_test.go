//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/admitscope"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

// The forger of attack 8: a pod that reaches the webhook's Service and
// posts reviews claiming to be a break-glass user.
const (
	forgedUser  = "eve-forged"
	forgedGroup = "gitward:break-glass"
)

// TestAdmissionAttack8UnauthenticatedCaller: issue 11 item 8. The webhook
// believes a review's userInfo, so only the API server may send reviews. On
// the local control plane, with kube-apiserver presenting a client
// certificate through its AdmissionConfiguration and the webhook requiring
// it:
//   - a real change through the API server is decided (a kubectl edit of a
//     managed ConfigMap by a user with `edit` is denied with gitward's
//     message, on the managed-namespaces webhook's own path; break-glass
//     through the API server still writes its Event);
//   - a forged break-glass review posted straight to the webhook, naming an
//     old commit, without a client certificate or with one another CA
//     signed, is refused at the TLS handshake: no decision, no Event, no
//     render;
//   - on a webhook without a client CA (the NetworkPolicy being its only
//     guard), the same forged break-glass review writes no Event.
func TestAdmissionAttack8UnauthenticatedCaller(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{WebhookClientCert: true})
	ctx := t.Context()
	admin := newClients(t, c.RESTConfig(), nil)
	mallory := newClients(t, c.RESTConfig(), &rest.ImpersonationConfig{UserName: attackerUser, Groups: []string{"system:authenticated"}})
	glass := newClients(t, c.RESTConfig(), &rest.ImpersonationConfig{UserName: "bob",
		Groups: []string{"system:masters", forgedGroup, "system:authenticated"}})

	// Git: c0 (blue), then c1 (green) at head; the ConfigMap settings is live at c1.
	repo := &whRepo{work: gittest.NewRepo(t)}
	repo.writeState(2, "registry.k8s.io/pause:3.9", "blue", false)
	c0 := repo.commit("c0")
	repo.writeState(2, "registry.k8s.io/pause:3.9", "green", false)
	c1 := repo.commit("c1")
	repo.bare = repo.work.Bare()
	if _, err := admin.kube.CoreV1().Namespaces().Create(ctx,
		namespaceObj("shop", map[string]string{provenance.LabelSource: "production"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.kube.RbacV1().RoleBindings("shop").Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: attackerUser + "-edit"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: attackerUser}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := whApply(ctx, admin.dyn, find(t, repo.render(t, c1), "ConfigMap", "settings"), provenance.FieldManager); err != nil {
		t.Fatalf("apply Git's settings at c1: %v", err)
	}

	wh := startWebhook(t, c.Kubeconfig, gittest.FileURL(repo.bare), "enforce", requireAPIServerCert(c))
	registerWebhook(t, admin.kube, wh.url, wh.ca)
	waitFor(t, "the API server to call the webhook with its client certificate", func(ctx context.Context) (bool, error) {
		_, err := admin.kube.CoreV1().ConfigMaps("shop").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "registration-probe"}},
			metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil && strings.Contains(err.Error(), gitwardDenial) {
			return true, nil
		}
		return false, err // admitted, or the webhook not called yet
	})
	settings := admin.kube.CoreV1().ConfigMaps("shop")
	live, err := admin.dyn.Resource(whGVR["ConfigMap"]).Namespace("shop").Get(ctx, "settings", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the API server's request is decided", func(t *testing.T) {
		_, err := mallory.kube.CoreV1().ConfigMaps("shop").Patch(ctx, "settings", types.StrategicMergePatchType,
			[]byte(`{"data":{"color":"black"}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"})
		wantAttackDenied(t, "kubectl edit of settings by "+attackerUser, err, "configmap/settings")
		if now, err := settings.Get(ctx, "settings", metav1.GetOptions{}); err != nil || now.Data["color"] != "green" {
			t.Errorf("settings after the edit: %v, %v; want color green", now.Data, err)
		}
		if !hasLogLine(wh.logs.String(), `"msg":"decision"`, `"user":"`+attackerUser+`"`, `"webhook":"`+admitscope.ManagedNamespaces+`"`) {
			t.Errorf("no decision of the managed-namespaces webhook for %s in the log:\n%s", attackerUser, wh.logs)
		}
	})

	t.Run("break-glass through the API server writes its Event", func(t *testing.T) {
		_, err := glass.kube.CoreV1().ConfigMaps("shop").Patch(ctx, "settings", types.StrategicMergePatchType,
			[]byte(`{"data":{"color":"orange"}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"})
		if err != nil {
			t.Fatalf("break-glass edit: %v", err)
		}
		waitFor(t, "bob's BreakGlass Event", func(ctx context.Context) (bool, error) {
			return breakGlassEvents(ctx, t, admin, "bob") > 0, nil
		})
	})

	// The forged review: eve "uses break-glass" to roll settings back to c0,
	// which is not rendered yet (the webhook rendered its head, c1).
	forged := forgedReview(t, find(t, repo.render(t, c0), "ConfigMap", "settings"), live)
	rendersBefore := metricSum(t, wh.probe, "gitward_webhook_render_duration_seconds_count")

	t.Run("a direct review without the API server's certificate is refused at the handshake", func(t *testing.T) {
		clusterCA, err := tls.X509KeyPair(c.RESTConfig().CertData, c.RESTConfig().KeyData) // the admin's, cluster CA
		if err != nil {
			t.Fatal(err)
		}
		for name, hc := range map[string]*http.Client{
			"no client certificate":       webhookClient(t, wh.ca),
			"the cluster CA's admin cert": webhookClient(t, wh.ca, clusterCA),
		} {
			for _, path := range []string{webhookPath(wh.url, admitscope.ManagedNamespaces), wh.url} {
				status, body, err := postReview(hc, path, forged)
				if err == nil {
					t.Errorf("%s, %s: answered HTTP %d %s; want the handshake refused", name, path, status, body)
				} else {
					t.Logf("%s, %s: refused: %v", name, path, err)
				}
			}
		}
		logs := wh.logs.String()
		for _, want := range []string{"TLS handshake error", "client didn't provide a certificate", "localcluster-admin"} {
			if !strings.Contains(logs, want) {
				t.Errorf("the webhook's log lacks %q (the refused handshakes)", want)
			}
		}
		if strings.Contains(logs, forgedUser) {
			t.Errorf("the forged review reached the handler:\n%s", logs)
		}
		if n := metricSum(t, wh.probe, "gitward_webhook_render_duration_seconds_count"); n != rendersBefore {
			t.Errorf("%v renders after the refused reviews, %v before", n, rendersBefore)
		}
		if n := breakGlassEvents(ctx, t, admin, forgedUser); n != 0 {
			t.Errorf("%d BreakGlass Events name %s", n, forgedUser)
		}
		// The API server's own identity is served (the handshake, not the
		// network, tells them apart).
		if status, body, err := postReview(webhookClient(t, wh.ca, apiServerIdentity(t, c)), wh.url, nil); err != nil || status != http.StatusOK {
			t.Errorf("the API server's certificate: HTTP %d %s, %v", status, body, err)
		}
	})

	t.Run("without a client CA a forged break-glass writes no Event", func(t *testing.T) {
		open := startWebhook(t, c.Kubeconfig, gittest.FileURL(repo.bare), "enforce")
		if !strings.Contains(open.logs.String(), "unauthenticated callers can send reviews; restrict ingress with the NetworkPolicy") {
			t.Errorf("no start-up warning:\n%s", open.logs)
		}
		change := live.DeepCopy()
		if err := unstructured.SetNestedField(change.Object, "hacked", "data", "color"); err != nil {
			t.Fatal(err)
		}
		review := forgedReview(t, change, live)
		status, body, err := postReview(webhookClient(t, open.ca), webhookPath(open.url, admitscope.ManagedNamespaces), review)
		if err != nil || status != http.StatusOK {
			t.Fatalf("post the forged review: HTTP %d %s, %v", status, body, err)
		}
		var answer admissionv1.AdmissionReview
		if err := json.Unmarshal(body, &answer); err != nil || answer.Response == nil {
			t.Fatalf("answer %s: %v", body, err)
		}
		// Break-glass answers as it always does: admitted with a warning
		// and audit annotations (they reach only the caller).
		if r := answer.Response; !r.Allowed || r.AuditAnnotations["decision"] != "break-glass" {
			t.Errorf("response %+v; want break-glass's admission", r)
		}
		waitFor(t, "the skipped Event in the log", func(context.Context) (bool, error) {
			return hasLogLine(open.logs.String(), "break-glass Event not written", forgedUser), nil
		})
		if n := breakGlassEvents(ctx, t, admin, forgedUser); n != 0 {
			t.Errorf("%d BreakGlass Events name %s", n, forgedUser)
		}
	})
}

// forgedReview is an UPDATE of ConfigMap shop/settings from old to obj by the
// forged break-glass user.
func forgedReview(t *testing.T, obj, old *unstructured.Unstructured) []byte {
	t.Helper()
	raw, err := json.Marshal(obj.Object)
	if err != nil {
		t.Fatal(err)
	}
	oldRaw, err := json.Marshal(old.Object)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:       "8a8a8a8a-0000-4000-8000-000000000008",
			Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "ConfigMap"},
			Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "configmaps"},
			Namespace: "shop", Name: "settings", Operation: admissionv1.Update,
			UserInfo: authnv1.UserInfo{Username: forgedUser, Groups: []string{forgedGroup, "system:authenticated"}},
			Object:   runtime.RawExtension{Raw: raw}, OldObject: runtime.RawExtension{Raw: oldRaw},
			Options: runtime.RawExtension{Raw: []byte(`{"kind":"PatchOptions","apiVersion":"meta.k8s.io/v1","fieldManager":"kubectl-edit"}`)},
		}})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// postReview posts an AdmissionReview (an empty one when review is nil)
// and returns the answer.
func postReview(hc *http.Client, url string, review []byte) (int, []byte, error) {
	if review == nil {
		review = []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1"}}`)
	}
	resp, err := hc.Post(url, "application/json", bytes.NewReader(review))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// webhookPath is the URL of the webhook shortName on the server of url (a
// whServer's, on the shared /validate path).
func webhookPath(url, shortName string) string {
	return strings.TrimSuffix(url, admitscope.ValidatePath) + admitscope.WebhookPath(shortName)
}

// breakGlassEvents counts the BreakGlass Events in shop that name user.
func breakGlassEvents(ctx context.Context, t *testing.T, admin whClients, user string) int {
	t.Helper()
	evs, err := admin.kube.CoreV1().Events("shop").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list Events: %v", err)
	}
	n := 0
	for _, e := range evs.Items {
		if e.Reason == "BreakGlass" && strings.Contains(e.Message, user) {
			n++
		}
	}
	return n
}

// hasLogLine reports whether one line of logs holds every part.
func hasLogLine(logs string, parts ...string) bool {
	for _, line := range strings.Split(logs, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}
