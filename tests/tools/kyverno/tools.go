//go:build tools

// Package kyverno pins the real kyverno CLI (cmd/cli/kubectl-kyverno) that
// hack/build-kyverno.sh builds, so that the end-to-end tests can compare
// `git gitops check` with `kyverno test` on the same folders. It is a module
// of its own so that the CLI's dependency graph never leaks into gitward's.
package kyverno

import (
	_ "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"
)
