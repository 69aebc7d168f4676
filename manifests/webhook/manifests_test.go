package webhook_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/gitward/gitward/pkg/admitscope"
	"github.com/gitward/gitward/pkg/render"
)

// objects renders manifests/webhook with pkg/render.
func objects(t *testing.T) map[string]*unstructured.Unstructured {
	t.Helper()
	res, err := render.Dir(context.Background(), "../..", "manifests/webhook", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*unstructured.Unstructured{}
	for _, o := range res.Objects {
		m[o.GetKind()+"/"+o.GetName()] = o
	}
	return m
}

func convert[T any](t *testing.T, u *unstructured.Unstructured) *T {
	t.Helper()
	if u == nil {
		t.Fatal("object missing")
	}
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, out, true); err != nil {
		t.Fatalf("%s/%s: %v", u.GetKind(), u.GetName(), err)
	}
	return out
}

func TestDeployment(t *testing.T) {
	objs := objects(t)
	d := convert[appsv1.Deployment](t, objs["Deployment/gitward-webhook"])
	if d.Namespace != "gitward-system" || d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("namespace %q replicas %v; want gitward-system and 2", d.Namespace, d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	// Preferred, not required: two replicas must still run on one node.
	if pod.Affinity == nil || pod.Affinity.PodAntiAffinity == nil ||
		len(pod.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) == 0 ||
		len(pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) != 0 {
		t.Error("want preferred (not required) pod anti-affinity")
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Error("not runAsNonRoot")
	}
	for _, c := range pod.Containers {
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() ||
			c.Resources.Limits.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("container %s lacks requests or limits", c.Name)
		}
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Errorf("container %s: root filesystem not read-only or privilege escalation allowed", c.Name)
		}
		if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
			t.Errorf("container %s: no /readyz readiness probe", c.Name)
		}
	}
	pdb := convert[policyv1.PodDisruptionBudget](t, objs["PodDisruptionBudget/gitward-webhook"])
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() < 1 {
		t.Error("the PodDisruptionBudget keeps no replica")
	}
	if objs["Service/gitward-webhook"] == nil {
		t.Error("no Service")
	}
}

func TestValidatingWebhookConfiguration(t *testing.T) {
	vwc := convert[admissionregistrationv1.ValidatingWebhookConfiguration](t, objects(t)["ValidatingWebhookConfiguration/gitward-webhook"])
	// The scope is pkg/admitscope's (its golden test keeps the file
	// generated); through kustomize only labels may be added.
	if want := admitscope.WebhookConfiguration().Webhooks; !reflect.DeepEqual(vwc.Webhooks, want) {
		t.Errorf("the rendered webhooks differ from pkg/admitscope's: run `make generate`")
	}
	for _, w := range vwc.Webhooks {
		if w.SideEffects == nil || *w.SideEffects != admissionregistrationv1.SideEffectClassNone {
			t.Errorf("%s: sideEffects is not None", w.Name)
		}
		if w.TimeoutSeconds == nil || *w.TimeoutSeconds > 5 {
			t.Errorf("%s: timeoutSeconds is not at most 5", w.Name)
		}
		if w.FailurePolicy == nil || *w.FailurePolicy != admissionregistrationv1.Fail {
			t.Errorf("%s: failurePolicy is not Fail", w.Name)
		}
		excluded := false
		for _, e := range w.NamespaceSelector.MatchExpressions {
			if e.Key == "kubernetes.io/metadata.name" && e.Operator == "NotIn" {
				for _, ns := range []string{"kube-system", "kube-public", "kube-node-lease", "gitward-system"} {
					if !slices.Contains(e.Values, ns) {
						t.Errorf("%s: namespace %s is not excluded", w.Name, ns)
					}
				}
				excluded = true
			}
		}
		if !excluded {
			t.Errorf("%s: no namespaceSelector on kubernetes.io/metadata.name", w.Name)
		}
		clusterScoped := false
		for _, r := range w.Rules {
			if r.Scope == nil || *r.Scope != admissionregistrationv1.NamespacedScope {
				clusterScoped = true
			}
		}
		if clusterScoped && (w.ObjectSelector == nil || len(w.ObjectSelector.MatchExpressions) == 0 ||
			w.ObjectSelector.MatchExpressions[0].Key != "gitward.dev/source") {
			t.Errorf("%s: cluster-scoped rules without an objectSelector on the source label", w.Name)
		}
		if w.ClientConfig.Service == nil || w.ClientConfig.Service.Path == nil ||
			*w.ClientConfig.Service.Path != "/validate/"+strings.TrimSuffix(w.Name, ".gitward.dev") {
			t.Errorf("%s: not served on its own path", w.Name)
		}
	}
}

func TestRBACIsLeastPrivilege(t *testing.T) {
	objs := objects(t)
	cr := convert[rbacv1.ClusterRole](t, objs["ClusterRole/gitward-webhook"])
	for _, r := range cr.Rules {
		for _, v := range r.Verbs {
			if v == "*" || (v != "get" && v != "list" && v != "watch" && !(v == "create" && slices.Equal(r.Resources, []string{"events"})) &&
				!(v == "patch" && slices.Equal(r.ResourceNames, []string{"gitward-webhook"}))) {
				t.Errorf("cluster role grants %s on %v", v, r.Resources)
			}
		}
		if slices.Contains(r.Resources, "secrets") || slices.Contains(r.Resources, "*") {
			t.Errorf("cluster role reaches %v", r.Resources)
		}
	}
	role := convert[rbacv1.Role](t, objs["Role/gitward-webhook"])
	if role.Namespace != "gitward-system" {
		t.Errorf("the Secret role is in %q", role.Namespace)
	}
}
