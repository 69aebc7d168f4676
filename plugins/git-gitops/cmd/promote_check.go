package cmd

import (
	"io"

	"github.com/gitward/gitward/pkg/promote"
	"github.com/gitward/gitward/pkg/promote/promotecheck"
)

// newRepoChecker returns the checker promote and rollback use unless a test
// set one: `git gitops check ENV` (pkg/check) on the repository as it will
// be after the change, warnings to warn.
func newRepoChecker(warn io.Writer) promote.Checker { return promotecheck.New(warn) }
