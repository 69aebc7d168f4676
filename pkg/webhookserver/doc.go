// Package webhookserver serves gitward's admission decision over HTTPS: the
// controller-runtime admission.Handler adapter around admit.Decider (object
// and oldObject decoded once each with sigs.k8s.io/json, the field manager
// read from the request's options), one path per webhook of pkg/admitscope
// ("/validate/<short name>", plus "/validate") so the decision knows which
// webhook sent a request, client certificate authentication of the API
// server (--client-ca-file; break-glass Events only for authenticated
// callers), TLS from files with reload on rotation or a self-bootstrapped CA
// that patches the caBundle of its own ValidatingWebhookConfiguration,
// Prometheus metrics, and health and readiness endpoints (ready once every
// source has rendered its head).
package webhookserver
