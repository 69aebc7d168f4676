//go:build tools

// Package tools pins the real kustomize and helm that pkg/render's and
// pkg/helm's byte-comparison tests (and bench/helm) run against; gitward
// itself never runs either.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
	_ "sigs.k8s.io/kustomize/kustomize/v5"
)
