//go:build tools

// Package lint pins staticcheck for `make lint`.
package lint

import _ "honnef.co/go/tools/cmd/staticcheck"
