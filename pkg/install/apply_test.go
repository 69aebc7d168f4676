package install

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/gitward/gitward/manifests"
	"github.com/gitward/gitward/pkg/config"
)

// applied records each server-side apply of the fake dynamic client: the
// kind and, for the webhook configuration, its failure policy.
func applyRecorder(t *testing.T) (*dynamicfake.FakeDynamicClient, *[]string) {
	t.Helper()
	dyn := dynamicfake.NewSimpleDynamicClient(runtime.NewScheme())
	var seen []string
	dyn.PrependReactor("patch", "*", func(a clienttesting.Action) (bool, runtime.Object, error) {
		p := a.(clienttesting.PatchAction)
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(p.GetPatch()); err != nil {
			t.Fatal(err)
		}
		entry := u.GetKind()
		if u.GetKind() == "ValidatingWebhookConfiguration" {
			fp, _, _ := unstructured.NestedString(u.Object["webhooks"].([]any)[0].(map[string]any), "failurePolicy")
			entry += " " + fp
		}
		seen = append(seen, entry)
		return true, u, nil
	})
	return dyn, &seen
}

func mapperFor(objs []*unstructured.Unstructured) meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	for _, u := range objs {
		gvk := u.GroupVersionKind()
		scope := meta.RESTScopeNamespace
		if u.GetNamespace() == "" {
			scope = meta.RESTScopeRoot
		}
		plural, singular := meta.UnsafeGuessKindToResource(gvk)
		m.AddSpecific(gvk, plural, singular, scope)
	}
	return m
}

func TestApplyFailsOpenUntilTheWebhookAnswers(t *testing.T) {
	r, err := Render(t.Context(), manifests.FS, Options{Sources: []config.Source{prod}})
	if err != nil {
		t.Fatal(err)
	}
	reached := func(context.Context, kubernetes.Interface, string) error { return nil }
	two := int32(2)
	notReady := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: webhookName, Namespace: DefaultNamespace}, Spec: appsv1.DeploymentSpec{Replicas: &two}}
	ready := notReady.DeepCopy()
	ready.Status.AvailableReplicas = 2
	vwc := &admissionv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: webhookName},
		Webhooks: []admissionv1.ValidatingWebhook{{Name: "w", ClientConfig: admissionv1.WebhookClientConfig{CABundle: []byte("ca")}}}}

	tests := []struct {
		name     string
		deploy   *appsv1.Deployment
		wait     bool
		wantVWC  []string
		wantErr  string
		wantSays string
	}{
		// A re-install: the webhook already answers, so Fail at once.
		{"already ready", ready, true, []string{"ValidatingWebhookConfiguration Fail"}, "", ""},
		{"never ready: stays open", notReady, true, []string{"ValidatingWebhookConfiguration Ignore"}, "stays failurePolicy Ignore", "failurePolicy Ignore until the webhook answers"},
		{"--wait=false: stays open", notReady, false, []string{"ValidatingWebhookConfiguration Ignore"}, "", "not waiting (--wait=false)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dyn, seen := applyRecorder(t)
			var out bytes.Buffer
			err := Apply(t.Context(), r, ApplyOptions{Dynamic: dyn, Mapper: mapperFor(r.Objects), Out: &out,
				Kube: fake.NewClientset(tt.deploy, vwc), Namespace: DefaultNamespace, Wait: tt.wait,
				Timeout: 30 * time.Millisecond, Reach: reached})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Apply: %v, want error %q", err, tt.wantErr)
			}
			var vwcs []string
			for _, s := range *seen {
				if strings.HasPrefix(s, "ValidatingWebhookConfiguration") {
					vwcs = append(vwcs, s)
				}
			}
			if strings.Join(vwcs, ",") != strings.Join(tt.wantVWC, ",") {
				t.Errorf("webhook configuration applied as %v, want %v", vwcs, tt.wantVWC)
			}
			if (*seen)[len(*seen)-1] != vwcs[len(vwcs)-1] {
				t.Errorf("the webhook configuration is not applied last: %v", *seen)
			}
			if !strings.Contains(out.String(), tt.wantSays) {
				t.Errorf("output lacks %q:\n%s", tt.wantSays, out.String())
			}
		})
	}
}

// TestApplyOpenThenClosed: the first install applies Ignore, sees the
// webhook become ready, then applies Fail.
func TestApplyOpenThenClosed(t *testing.T) {
	r, err := Render(t.Context(), manifests.FS, Options{Sources: []config.Source{prod}})
	if err != nil {
		t.Fatal(err)
	}
	two := int32(2)
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: webhookName, Namespace: DefaultNamespace}, Spec: appsv1.DeploymentSpec{Replicas: &two}}
	vwc := &admissionv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: webhookName},
		Webhooks: []admissionv1.ValidatingWebhook{{Name: "w", ClientConfig: admissionv1.WebhookClientConfig{CABundle: []byte("ca")}}}}
	kube := fake.NewClientset(d, vwc)
	calls := 0
	reach := func(context.Context, kubernetes.Interface, string) error { return nil }
	// The Deployment becomes available after the first look.
	kube.PrependReactor("get", "deployments", func(clienttesting.Action) (bool, runtime.Object, error) {
		calls++
		c := d.DeepCopy()
		if calls > 1 {
			c.Status.AvailableReplicas = 1
		}
		return true, c, nil
	})
	dyn, seen := applyRecorder(t)
	var out bytes.Buffer
	if err := Apply(t.Context(), r, ApplyOptions{Dynamic: dyn, Mapper: mapperFor(r.Objects), Out: &out, Kube: kube,
		Namespace: DefaultNamespace, Wait: true, Timeout: 5 * time.Second, Reach: reach}); err != nil {
		t.Fatalf("Apply: %v\n%s", err, out.String())
	}
	var vwcs []string
	for _, s := range *seen {
		if strings.HasPrefix(s, "ValidatingWebhookConfiguration") {
			vwcs = append(vwcs, s)
		}
	}
	if strings.Join(vwcs, ",") != "ValidatingWebhookConfiguration Ignore,ValidatingWebhookConfiguration Fail" {
		t.Errorf("webhook configuration applied as %v", vwcs)
	}
	if !strings.Contains(out.String(), "the webhook answers; applying it as rendered (failurePolicy Fail)") {
		t.Errorf("output:\n%s", out.String())
	}
}
