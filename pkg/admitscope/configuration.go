package admitscope

import (
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Where the product's install serves the webhooks.
const (
	// ConfigurationName is the ValidatingWebhookConfiguration's name
	// (--self-bootstrap patches the caBundle of this object only).
	ConfigurationName = "gitward-webhook"
	// ServiceName is the webhook's Service, in GitwardNamespace.
	ServiceName = "gitward-webhook"
	// ServicePort is the Service's HTTPS port.
	ServicePort int32 = 443
	// TimeoutSeconds bounds each review; with failurePolicy Fail a webhook
	// that does not answer refuses the change, and a short timeout keeps
	// that refusal quick (docs/security.md, "Failure policy").
	TimeoutSeconds int32 = 5
)

// WebhookConfiguration returns the ValidatingWebhookConfiguration as the
// product installs it: each webhook calls the Service on its own path. The
// caBundle is left empty for --self-bootstrap or cert-manager to fill in.
func WebhookConfiguration() *admissionregistrationv1.ValidatingWebhookConfiguration {
	return webhookConfiguration(func(w Webhook) admissionregistrationv1.WebhookClientConfig {
		return admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{
			Namespace: GitwardNamespace, Name: ServiceName, Path: ptr(w.Path()), Port: ptr(ServicePort),
		}}
	})
}

// WebhookConfigurationForURL returns the same configuration with each
// webhook calling baseURL (such as "https://127.0.0.1:9443", for a webhook
// the tests run on loopback) followed by its own path, trusting caBundle.
func WebhookConfigurationForURL(baseURL string, caBundle []byte) *admissionregistrationv1.ValidatingWebhookConfiguration {
	base := strings.TrimSuffix(baseURL, "/")
	return webhookConfiguration(func(w Webhook) admissionregistrationv1.WebhookClientConfig {
		return admissionregistrationv1.WebhookClientConfig{URL: ptr(base + w.Path()), CABundle: caBundle}
	})
}

func webhookConfiguration(clientConfig func(Webhook) admissionregistrationv1.WebhookClientConfig) *admissionregistrationv1.ValidatingWebhookConfiguration {
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingWebhookConfiguration"},
		ObjectMeta: metav1.ObjectMeta{Name: ConfigurationName},
	}
	for _, w := range Webhooks() {
		cfg.Webhooks = append(cfg.Webhooks, admissionregistrationv1.ValidatingWebhook{
			Name:                    w.Name(),
			ClientConfig:            clientConfig(w),
			Rules:                   w.Rules,
			FailurePolicy:           ptr(admissionregistrationv1.Fail),
			MatchPolicy:             ptr(admissionregistrationv1.Equivalent),
			NamespaceSelector:       w.NamespaceSelector,
			ObjectSelector:          w.ObjectSelector,
			SideEffects:             ptr(admissionregistrationv1.SideEffectClassNone),
			TimeoutSeconds:          ptr(TimeoutSeconds),
			AdmissionReviewVersions: []string{"v1"},
			MatchConditions:         w.MatchConditions,
		})
	}
	return cfg
}
