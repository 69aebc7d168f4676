// Package manifests embeds the kustomize bases of gitward's in-cluster
// programs, so that `kubectl gitops install` renders them without a
// checkout: webhook/ (gitward-webhook), agent/ (gitward-agent) and vap/
// (the ValidatingAdmissionPolicy floor for clusters without the webhook).
// The bases stay plain kustomize folders: `kubectl apply -k manifests/agent`
// works too.
package manifests

import "embed"

// FS holds webhook/, agent/ and vap/ with their YAML files only.
//
//go:embed webhook/*.yaml agent/*.yaml vap/*.yaml
var FS embed.FS
