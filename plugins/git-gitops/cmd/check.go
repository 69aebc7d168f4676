package cmd

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/gitrepo"
)

// Output formats of `git gitops check`.
const (
	checkOutputText         = "text"
	checkOutputJSON         = "json"
	checkOutputPolicyReport = "policyreport"
)

// errCheckUsage marks invalid flags or arguments.
var errCheckUsage = errors.New("invalid usage")

// CheckOptions holds the flags of `git gitops check`.
type CheckOptions struct {
	genericiooptions.IOStreams

	// Dir is any folder inside the checkout; default: the working folder.
	Dir          string
	Rev          string
	Output       string
	AllowRemote  bool
	AuditWarn    bool
	Environments []string

	// Now stamps PolicyReport results; default time.Now.
	Now func() time.Time

	root string
	repo *gitrepo.Repo
}

// NewCheckOptions returns the defaults of `git gitops check`.
func NewCheckOptions(streams genericiooptions.IOStreams) *CheckOptions {
	return &CheckOptions{IOStreams: streams, Output: checkOutputText, Now: time.Now}
}

const checkExample = `  # Check every environment of the checkout (working tree)
  git gitops check

  # Check staging and production only, as JSON
  git gitops check staging production -o json

  # Check what is committed at HEAD (what CI sees), as PolicyReports
  git gitops check --rev HEAD -o policyreport`

// NewCmdCheck returns `git gitops check`.
func NewCmdCheck(streams genericiooptions.IOStreams) *cobra.Command {
	o := NewCheckOptions(streams)
	cmd := &cobra.Command{
		Use:   "check [ENV...]",
		Short: "Render environments and check them: secrets, duplicates, namespaces, Kyverno policies",
		Long: `Render every environment (or the named ones) and fail when one does not
render, commits a plaintext Secret (or a credential in a ConfigMap), renders
an object twice, leaves a namespaced object without a namespace, or violates
a Kyverno policy found under policies/ (or named by policies: in
gitward.yaml). ClusterPolicy, Policy and the CEL ValidatingPolicy are
evaluated with Kyverno's own engine, as ` + "`kyverno test`" + ` does.

Exit status: 0 when clean, 1 when anything fails, 2 on usage or internal errors.`,
		Example:      checkExample,
		SilenceUsage: true,
		RunE:         cli.Steps{Complete: o.Complete, Validate: o.Validate, Run: o.Run}.RunE,
	}
	f := cmd.Flags()
	f.StringVarP(&o.Output, "output", "o", o.Output, "output format: text, json or policyreport (wgpolicyk8s.io/v1alpha2)")
	f.StringVar(&o.Rev, "rev", o.Rev, "check the tree of this commit instead of the working tree")
	f.BoolVar(&o.AllowRemote, "allow-remote", o.AllowRemote, "let kustomize fetch remote bases")
	f.BoolVar(&o.AuditWarn, "audit-warn", o.AuditWarn, "report failures of Kyverno policies in Audit mode as warnings (they do not fail the check)")
	f.StringVarP(&o.Dir, "directory", "C", o.Dir, "run as if started in this folder")
	return cmd
}

// Complete finds the checkout from Dir.
func (o *CheckOptions) Complete(args []string) error {
	o.Environments = args
	repo, err := openCheckout(o.Dir)
	if err != nil {
		return err
	}
	o.repo = repo
	if o.Rev == "" {
		wt, err := repo.Git().Worktree()
		if err != nil {
			return &cli.ExitError{Code: 2, Err: fmt.Errorf("the repository has no working tree (a bare clone?): use --rev to check a revision: %w", err)}
		}
		o.root = wt.Filesystem.Root()
	}
	return nil
}

// Validate checks the flags.
func (o *CheckOptions) Validate() error {
	switch o.Output {
	case checkOutputText, checkOutputJSON, checkOutputPolicyReport:
	default:
		return &cli.ExitError{Code: 2, Err: fmt.Errorf("%w: --output %q: use text, json or policyreport", errCheckUsage, o.Output)}
	}
	return nil
}
