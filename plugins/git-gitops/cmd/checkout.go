package cmd

import (
	"fmt"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/gitrepo"
)

// openCheckout opens the Git checkout that holds dir (the current folder
// when dir is empty), the first step of every read-only git gitops command.
func openCheckout(dir string) (*gitrepo.Repo, error) {
	dir, err := orWorkingDir(dir)
	if err != nil {
		return nil, fmt.Errorf("current folder: %w", err)
	}
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return nil, &cli.ExitError{Code: 2, Err: fmt.Errorf("%s is not inside a Git checkout: %w; run git gitops from a checkout of your manifests repository", dir, err)}
	}
	return repo, nil
}
