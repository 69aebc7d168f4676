//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/admitscope"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
	"github.com/gitward/gitward/tests/localcluster"
)

const (
	scopeManagedNS = "scope-managed" // carries the source label
	scopePlainNS   = "scope-plain"   // does not
	scopeCommit    = "3f2a9c1e0b7d4a5f6c8e9d0a1b2c3d4e5f607182"
	floorDenial    = "must carry annotation gitward.dev/commit"
)

// scopeIdentity is a requester and how the configurations before issue 11
// treated it (the webhook's path.Match patterns and the policy's
// hand-written CEL, which had drifted apart).
type scopeIdentity struct {
	user   string
	groups []string
	before string
}

// TestAdmissionAttack10 (issue 11, item 10: the webhook configuration's
// exemptions and the ValidatingAdmissionPolicy's had drifted apart). It
// installs the generated webhook configuration (pointed at a recorder that
// denies whatever reaches it) and the generated policy floor on the real API
// server and shows that
//
//   - both, as the API server stores them, carry the matchConditions of the
//     Go definition (pkg/admitscope), and the API server compiled them;
//   - for every exempt identity of the Go definition, and for identities
//     the old patterns exempted and the exact list does not
//     (kube-system:evil-controller, a user merely named system:node:x), the
//     webhook and the floor decide alike: exempt in both or in neither,
//     exactly as admitscope.IsExempt says; the identities the old policy
//     lacked (the scheduler, root-ca-cert-publisher, persistent-volume-binder,
//     the group system:nodes) are now exempt in both;
//   - each webhook is called on its own path, a request reaches one webhook
//     only, unlabelled objects and bare Pods in a managed namespace are sent,
//     and the never-sent resources are not.
func TestAdmissionAttack10(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := t.Context()
	cfg := c.RESTConfig()
	admin := kubernetes.NewForConfigOrDie(cfg)
	for name, labels := range map[string]map[string]string{
		scopeManagedNS: {provenance.LabelSource: "production"}, scopePlainNS: nil} {
		if _, err := admin.CoreV1().Namespaces().Create(ctx, namespaceObj(name, labels), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// A bare Pod needs its namespace's default ServiceAccount (admission
	// refuses the Pod before any webhook otherwise).
	waitFor(t, "the default ServiceAccount of "+scopeManagedNS, func(ctx context.Context) (bool, error) {
		_, err := admin.CoreV1().ServiceAccounts(scopeManagedNS).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, err
	})
	rec := startScopeRecorder(t)
	registerWebhook(t, admin, rec.url, rec.ca)
	installPolicyFloor(t, dynamicFor(t, c))

	t.Run("stored configurations carry the Go definition", func(t *testing.T) {
		wantStoredScope(t, admin)
	})

	alice := impersonating(t, cfg, "alice")
	waitFor(t, "the policy floor and the webhook to take effect", func(ctx context.Context) (bool, error) {
		rec.take()
		floor := dryRunConfigMap(ctx, alice, scopeManagedNS, true, false)
		hook := dryRunConfigMap(ctx, alice, scopeManagedNS, true, true)
		return floor != nil && strings.Contains(floor.Error(), floorDenial) &&
			hook != nil && strings.Contains(hook.Error(), scopeRecorderDenial), nil
	})
	rec.take()

	t.Run("webhook and floor exempt exactly the Go definition's identities", func(t *testing.T) {
		changed := 0
		for _, id := range scopeIdentities() {
			cl := impersonating(t, cfg, id.user, id.groups...)
			floorErr := dryRunConfigMap(ctx, cl, scopeManagedNS, true, false) // the floor refuses it
			hookErr := dryRunConfigMap(ctx, cl, scopeManagedNS, true, true)   // the floor admits it; the recorder refuses it
			want := admitscope.IsExempt(id.user, id.groups)
			floorExempt := wantOutcome(t, id, "policy floor", floorErr, floorDenial)
			hookExempt := wantOutcome(t, id, "webhook", hookErr, scopeRecorderDenial)
			if floorExempt != want || hookExempt != want {
				t.Errorf("%s %v (before issue 11: %s): exempt by the floor %v, by the webhook %v; the Go definition says %v",
					id.user, id.groups, id.before, floorExempt, hookExempt, want)
			}
			if seen := rec.take(); want && len(seen) > 0 {
				t.Errorf("%s: exempt, yet the webhook received %v", id.user, seen)
			}
			if id.before != fmt.Sprintf("exempt by the webhook %v, by the policy %v", want, want) {
				changed++
				t.Logf("%s %v: before issue 11 %s; now %v in both", id.user, id.groups, id.before, want)
			}
		}
		if changed == 0 {
			t.Error("no identity is treated differently from before issue 11")
		}
	})

	t.Run("each webhook on its own path, nothing sent twice, never-sent resources kept away", func(t *testing.T) {
		wantScopeRouting(t, alice, rec)
	})
}

// scopeIdentities are every exempt identity of the Go definition and the
// look-alikes that must not be exempt. Each is also a member of
// system:masters, so that RBAC lets its dry-run create through to admission.
func scopeIdentities() []scopeIdentity {
	var ids []scopeIdentity
	add := func(user string, groups ...string) {
		webhook, policy := exemptBeforeIssue11(user, groups)
		ids = append(ids, scopeIdentity{user: user, groups: groups,
			before: fmt.Sprintf("exempt by the webhook %v, by the policy %v", webhook, policy)})
	}
	for _, u := range admitscope.ExemptUsers() {
		add(u)
	}
	add("system:node:worker-1", admitscope.NodesGroup)
	add("system:serviceaccount:kube-system:evil-controller") // the old *-controller pattern
	add("system:node:worker-1")                              // the old system:node:* pattern, without the group: not a node
	add("system:serviceaccount:shop:deployment-controller")
	add("alice", "system:serviceaccounts")
	return ids
}

// exemptBeforeIssue11 is how the configurations before issue 11 treated a
// requester: the webhook's path.Match patterns (pkg/admit
// DefaultExemptions) and the policy's hand-written CEL. They had drifted:
// the policy lacked the scheduler, root-ca-cert-publisher,
// persistent-volume-binder and the group system:nodes.
func exemptBeforeIssue11(user string, groups []string) (webhook, policy bool) {
	for _, p := range []string{"system:kube-controller-manager", "system:kube-scheduler",
		"system:serviceaccount:kube-system:*-controller", "system:serviceaccount:kube-system:generic-garbage-collector",
		"system:serviceaccount:kube-system:root-ca-cert-publisher", "system:serviceaccount:kube-system:persistent-volume-binder",
		"system:node:*"} {
		if ok, _ := path.Match(p, user); ok {
			webhook = true
		}
	}
	webhook = webhook || slices.Contains(groups, "system:nodes")
	const sa = "system:serviceaccount:kube-system:"
	policy = user == "system:kube-controller-manager" || strings.HasPrefix(user, "system:node:") ||
		(strings.HasPrefix(user, sa) && (strings.HasSuffix(user, "-controller") || user == sa+"generic-garbage-collector"))
	return webhook, policy
}

// wantOutcome reports whether err is an admission (exempt), and fails on an
// error that is neither nil nor the expected denial.
func wantOutcome(t *testing.T, id scopeIdentity, by string, err error, denial string) bool {
	t.Helper()
	if err != nil && !strings.Contains(err.Error(), denial) {
		t.Errorf("%s, %s: unexpected error %v", id.user, by, err)
	}
	return err == nil
}

// wantStoredScope compares the stored configurations with pkg/admitscope.
func wantStoredScope(t *testing.T, kube kubernetes.Interface) {
	t.Helper()
	ctx := t.Context()
	api := kube.AdmissionregistrationV1()
	vwc, err := api.ValidatingWebhookConfigurations().Get(ctx, admitscope.ConfigurationName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hooks := admitscope.Webhooks()
	if len(vwc.Webhooks) != len(hooks) {
		t.Fatalf("%d webhooks stored, want %d", len(vwc.Webhooks), len(hooks))
	}
	for i, w := range vwc.Webhooks {
		if w.Name != hooks[i].Name() || !slices.Equal(w.MatchConditions, hooks[i].MatchConditions) {
			t.Errorf("stored webhook %s differs from the Go definition's %s", w.Name, hooks[i].Name())
		}
		if w.ClientConfig.URL == nil || !strings.HasSuffix(*w.ClientConfig.URL, hooks[i].Path()) {
			t.Errorf("%s: URL %v does not end in its own path %s", w.Name, w.ClientConfig.URL, hooks[i].Path())
		}
	}
	policy, err := api.ValidatingAdmissionPolicies().Get(ctx, admitscope.PolicyName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(policy.Spec.MatchConditions, admitscope.MatchConditions()) {
		t.Error("the stored policy floor's matchConditions differ from the Go definition's")
	}
	if !slices.Equal(policy.Spec.MatchConditions, vwc.Webhooks[0].MatchConditions) {
		t.Error("the stored policy floor and webhook exempt different identities")
	}
}

// wantScopeRouting sends alice's dry-run writes and checks which webhook
// path, if any, each reached.
func wantScopeRouting(t *testing.T, alice kubernetes.Interface, rec *scopeRecorder) {
	t.Helper()
	ctx := t.Context()
	annotated := map[string]string{provenance.AnnotationCommit: scopeCommit}
	labelled := map[string]string{provenance.LabelSource: "production"}
	dry := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	cases := []struct {
		what, path string // path "" means kept away
		create     func() error
	}{
		{"a labelled ConfigMap in a managed namespace", admitscope.WebhookPath(admitscope.ManagedNamespaces), func() error {
			return dryRunConfigMap(ctx, alice, scopeManagedNS, true, true)
		}},
		{"an unlabelled ConfigMap in a managed namespace", admitscope.WebhookPath(admitscope.ManagedNamespaces), func() error {
			return dryRunConfigMap(ctx, alice, scopeManagedNS, false, false)
		}},
		{"a bare Pod in a managed namespace", admitscope.WebhookPath(admitscope.ManagedNamespaces), func() error {
			_, err := alice.CoreV1().Pods(scopeManagedNS).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bare"},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.9"}}}}, dry)
			return err
		}},
		{"a labelled ConfigMap in an unmanaged namespace", admitscope.WebhookPath(admitscope.LabelledObjects), func() error {
			return dryRunConfigMap(ctx, alice, scopePlainNS, true, true)
		}},
		{"an unlabelled ConfigMap in an unmanaged namespace", "", func() error {
			return dryRunConfigMap(ctx, alice, scopePlainNS, false, false)
		}},
		{"a labelled Namespace", admitscope.WebhookPath(admitscope.Namespaces), func() error {
			_, err := alice.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
				Name: "scope-new", Labels: labelled, Annotations: annotated}}, dry)
			return err
		}},
		{"an Event in a managed namespace", "", func() error {
			_, err := alice.CoreV1().Events(scopeManagedNS).Create(ctx, &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e"},
				InvolvedObject: corev1.ObjectReference{Kind: "ConfigMap", Namespace: scopeManagedNS, Name: "x"},
				Reason:         "Test", Message: "m", Type: corev1.EventTypeNormal}, dry)
			return err
		}},
		{"a Lease in a managed namespace", "", func() error {
			_, err := alice.CoordinationV1().Leases(scopeManagedNS).Create(ctx, &coordinationv1.Lease{
				ObjectMeta: metav1.ObjectMeta{Name: "leader"}}, dry)
			return err
		}},
	}
	for _, tc := range cases {
		err := tc.create()
		seen := rec.take()
		switch {
		case tc.path == "" && (err != nil || len(seen) > 0):
			t.Errorf("%s: want kept away from the webhook, got error %v, reviews %v", tc.what, err, seen)
		case tc.path != "" && (len(seen) != 1 || seen[0].path != tc.path):
			t.Errorf("%s: want exactly one review on %s, got %v (error %v)", tc.what, tc.path, seen, err)
		case tc.path != "" && (err == nil || !strings.Contains(err.Error(), scopeRecorderDenial)):
			t.Errorf("%s: want the recorder's denial, got %v", tc.what, err)
		}
	}
}

// dryRunConfigMap dry-run creates a ConfigMap in ns, with the source label
// and a well-formed commit annotation as asked.
func dryRunConfigMap(ctx context.Context, kube kubernetes.Interface, ns string, labelled, annotated bool) error {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "scope-probe"}, Data: map[string]string{"k": "v"}}
	if labelled {
		cm.Labels = map[string]string{provenance.LabelSource: "production"}
	}
	if annotated {
		cm.Annotations = map[string]string{provenance.AnnotationCommit: scopeCommit}
	}
	_, err := kube.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	return err
}

// impersonating is a client acting as user in groups and system:masters
// (so that RBAC admits the request and admission decides).
func impersonating(t *testing.T, base *rest.Config, user string, groups ...string) kubernetes.Interface {
	t.Helper()
	cfg := rest.CopyConfig(base)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: append(slices.Clone(groups), "system:masters")}
	cfg.QPS, cfg.Burst = 200, 400
	return kubernetes.NewForConfigOrDie(cfg)
}

// installPolicyFloor server-side applies manifests/vap (generated from
// pkg/admitscope) as `kubectl gitops install --admission both` would.
func installPolicyFloor(t *testing.T, dyn dynamic.Interface) {
	t.Helper()
	res, err := render.Dir(t.Context(), "../..", "manifests/vap", render.Options{SkipYAML: true})
	if err != nil {
		t.Fatal(err)
	}
	resources := map[string]string{"ValidatingAdmissionPolicy": "validatingadmissionpolicies",
		"ValidatingAdmissionPolicyBinding": "validatingadmissionpolicybindings"}
	for _, u := range res.Objects {
		gvr := schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: resources[u.GetKind()]}
		body, err := json.Marshal(u.Object)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dyn.Resource(gvr).Patch(t.Context(), u.GetName(), types.ApplyPatchType, body,
			metav1.PatchOptions{FieldManager: "test"}); err != nil {
			t.Fatalf("apply %s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
}
