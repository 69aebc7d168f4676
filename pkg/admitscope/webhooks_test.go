package admitscope

import (
	"slices"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

func TestWebhooksHaveTheirOwnPaths(t *testing.T) {
	want := map[string]string{
		ManagedNamespaces: "/validate/managed-namespaces",
		LabelledObjects:   "/validate/labelled-objects",
		Namespaces:        "/validate/namespaces",
	}
	if !slices.Equal(WebhookShortNames(), []string{ManagedNamespaces, LabelledObjects, Namespaces}) {
		t.Errorf("short names %v", WebhookShortNames())
	}
	for _, w := range Webhooks() {
		if w.Path() != want[w.ShortName] {
			t.Errorf("%s: path %s, want %s", w.ShortName, w.Path(), want[w.ShortName])
		}
		if got, ok := WebhookForPath(w.Path()); !ok || got.ShortName != w.ShortName {
			t.Errorf("WebhookForPath(%s) = %s, %v", w.Path(), got.ShortName, ok)
		}
	}
	if _, ok := WebhookForPath(ValidatePath); ok {
		t.Errorf("%s names a webhook", ValidatePath)
	}
}

func TestConfigurationClientConfigs(t *testing.T) {
	for _, w := range WebhookConfiguration().Webhooks {
		s := w.ClientConfig.Service
		if s == nil || s.Namespace != GitwardNamespace || s.Name != ServiceName || *s.Port != 443 ||
			*s.Path != "/validate/"+w.Name[:len(w.Name)-len(".gitward.dev")] || w.ClientConfig.URL != nil {
			t.Errorf("%s: client config %+v", w.Name, w.ClientConfig)
		}
	}
	ca := []byte("ca")
	for _, w := range WebhookConfigurationForURL("https://127.0.0.1:9443/", ca).Webhooks {
		short := w.Name[:len(w.Name)-len(".gitward.dev")]
		if w.ClientConfig.URL == nil || *w.ClientConfig.URL != "https://127.0.0.1:9443/validate/"+short ||
			w.ClientConfig.Service != nil || string(w.ClientConfig.CABundle) != "ca" {
			t.Errorf("%s: client config %+v", w.Name, w.ClientConfig)
		}
	}
}

// TestScopeIsComplete: every kind and subresource, every write, and the
// safety settings; the managed-namespaces webhook has no objectSelector
// (unlabelled objects in a managed namespace are in scope).
func TestScopeIsComplete(t *testing.T) {
	for _, w := range WebhookConfiguration().Webhooks {
		if *w.FailurePolicy != admissionregistrationv1.Fail || *w.SideEffects != admissionregistrationv1.SideEffectClassNone ||
			*w.TimeoutSeconds != 5 || *w.MatchPolicy != admissionregistrationv1.Equivalent {
			t.Errorf("%s: failure policy, side effects, timeout or match policy changed", w.Name)
		}
		if len(w.MatchConditions) < 3 || len(w.MatchConditions) > 64 {
			t.Errorf("%s: %d matchConditions", w.Name, len(w.MatchConditions))
		}
		for _, r := range w.Rules {
			// The API server's validation: "*/*" stands alone.
			if slices.Contains(r.Resources, "*/*") && len(r.Resources) > 1 {
				t.Errorf("%s: resources %v: the API server refuses other resources beside */*", w.Name, r.Resources)
			}
			if !slices.Equal(r.Operations, []admissionregistrationv1.OperationType{"CREATE", "UPDATE", "DELETE"}) {
				t.Errorf("%s: operations %v", w.Name, r.Operations)
			}
		}
		if w.Name == ManagedNamespaces+".gitward.dev" {
			r := w.Rules[0]
			if w.ObjectSelector != nil || !slices.Equal(r.APIGroups, []string{"*"}) || !slices.Equal(r.Resources, []string{"*/*"}) {
				t.Errorf("%s: not every kind and subresource of the namespace: %+v, objectSelector %v", w.Name, r, w.ObjectSelector)
			}
		}
		excluded := false
		for _, e := range w.NamespaceSelector.MatchExpressions {
			excluded = excluded || (e.Key == NamespaceNameLabel && e.Operator == "NotIn" && slices.Equal(e.Values, ExcludedNamespaces()))
		}
		if !excluded {
			t.Errorf("%s: the excluded namespaces are not excluded", w.Name)
		}
	}
	p := Policy()
	if !slices.Equal(p.Spec.MatchConditions, MatchConditions()) {
		t.Error("the policy floor's matchConditions differ from the webhooks'")
	}
	if !slices.Equal(PolicyBinding().Spec.MatchResources.NamespaceSelector.MatchExpressions[0].Values, ExcludedNamespaces()) {
		t.Error("the policy floor's binding excludes other namespaces")
	}
}
