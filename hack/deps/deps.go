//go:build deps

// Package deps keeps the design card's modules in go.mod while the packages
// that use them are being written; `go mod tidy` honours build tags, so this
// file pins them without being compiled into anything. Remove a line once a
// real package imports that module.
package deps

import (
	_ "github.com/bitnami-labs/sealed-secrets/pkg/crypto"
	_ "github.com/go-git/go-git/v5"
	_ "github.com/kyverno/kyverno/pkg/engine"
	_ "k8s.io/kubectl/pkg/cmd/kustomize"
	_ "sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)
