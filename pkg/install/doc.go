// Package install renders, and applies, the manifests that put gitward into
// a cluster: gitward-webhook and gitward-agent for a set of sources.
//
// It renders the kustomize bases embedded by package manifests with
// pkg/render over an in-memory tree: each base gets a generated overlay
// that sets the namespace, the image, the programs' arguments and a
// gitward.yaml naming the sources (a ConfigMap each program mounts).
// Nothing is read from or written to disk.
//
// TLS for the webhook is either the webhook's own self-bootstrap (the
// default: it generates a CA and serving certificate, shares them through a
// Secret and patches the caBundle of its ValidatingWebhookConfiguration) or
// cert-manager ([Options.CertManager]: a self-signed Issuer and a
// Certificate whose Secret the webhook mounts, and cert-manager's CA
// injector fills in the caBundle).
//
// [Options.Admission] chooses what guards admission: the webhook (the
// default), only the ValidatingAdmissionPolicy floor of manifests/vap, or
// both.
//
// [Apply] server-side-applies the rendered objects: Namespaces and CRDs
// first, the ValidatingWebhookConfiguration and the admission policy last,
// so that neither stands in the way of the installation.
package install
