//go:build tools

// Package tools pins the sealed-secrets commands that hack/build-tools-extra.sh
// builds: the real controller (for the end-to-end tests) and kubeseal (for
// the side-by-side benchmark in bench/seal).
package tools

import (
	_ "github.com/bitnami-labs/sealed-secrets/cmd/controller"
	_ "github.com/bitnami-labs/sealed-secrets/cmd/kubeseal"
)
