package cli

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// Steps are the phases of a command in house-style order: Complete fills in
// the options from the arguments and the environment, Validate checks them,
// and Run does the work. A nil Complete or Validate is skipped.
//
//	RunE: cli.Steps{Complete: o.Complete, Validate: o.Validate, Run: o.Run}.RunE,
type Steps struct {
	Complete func(args []string) error
	Validate func() error
	Run      func(ctx context.Context) error
	// Kube, when set, turns a Run error into "cannot reach the cluster at
	// URL" when the kubeconfig's server does not answer (ExplainUnreachable).
	Kube *genericclioptions.ConfigFlags
}

// RunE runs the steps in order with cmd's context, stopping at the first
// error; it is a cobra.Command RunE.
func (s Steps) RunE(cmd *cobra.Command, args []string) error {
	if s.Complete != nil {
		if err := s.Complete(args); err != nil {
			return err
		}
	}
	if s.Validate != nil {
		if err := s.Validate(); err != nil {
			return err
		}
	}
	err := s.Run(cmd.Context())
	if s.Kube != nil {
		err = ExplainUnreachable(s.Kube, err)
	}
	return err
}

// NoArgs adapts a Complete that takes no arguments, for a command declared
// with cobra.NoArgs.
func NoArgs(complete func() error) func(args []string) error {
	return func([]string) error { return complete() }
}
