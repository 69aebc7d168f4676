// Package webhookserver serves gitward's admission decision over HTTPS: the
// controller-runtime admission.Handler adapter around admit.Decider, TLS from
// files with reload on rotation or a self-bootstrapped CA that patches the
// caBundle of its own ValidatingWebhookConfiguration, Prometheus metrics,
// and health and readiness endpoints (ready once every source has rendered
// its head).
package webhookserver
