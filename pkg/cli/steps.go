package cli

import (
	"context"

	"github.com/spf13/cobra"
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
	return s.Run(cmd.Context())
}

// NoArgs adapts a Complete that takes no arguments, for a command declared
// with cobra.NoArgs.
func NoArgs(complete func() error) func(args []string) error {
	return func([]string) error { return complete() }
}
