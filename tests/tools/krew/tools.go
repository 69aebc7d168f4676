//go:build tools

// Package tools pins the krew commands that hack/build-tools-extra.sh builds:
// krew itself (installed as kubectl-krew) and validate-krew-manifest.
package tools

import (
	_ "sigs.k8s.io/krew/cmd/krew"
	_ "sigs.k8s.io/krew/cmd/validate-krew-manifest"
)
