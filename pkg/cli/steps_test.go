package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/spf13/cobra"
)

type ctxKey struct{}

func TestStepsRunE(t *testing.T) {
	errComplete, errValidate, errRun := errors.New("complete"), errors.New("validate"), errors.New("run")
	tests := []struct {
		name      string
		steps     func(calls *[]string, fail error) Steps
		fail      error
		wantCalls []string
		wantErr   error
	}{
		{name: "all steps in order", wantCalls: []string{"complete [a b]", "validate", "run"}},
		{name: "complete fails", fail: errComplete, wantCalls: []string{"complete [a b]"}, wantErr: errComplete},
		{name: "validate fails", fail: errValidate, wantCalls: []string{"complete [a b]", "validate"}, wantErr: errValidate},
		{name: "run fails", fail: errRun, wantCalls: []string{"complete [a b]", "validate", "run"}, wantErr: errRun},
		{name: "nil complete and validate", wantCalls: []string{"run"}, steps: func(calls *[]string, _ error) Steps {
			return Steps{Run: func(context.Context) error { *calls = append(*calls, "run"); return nil }}
		}},
		{name: "complete without arguments", wantCalls: []string{"complete", "run"}, steps: func(calls *[]string, _ error) Steps {
			return Steps{
				Complete: NoArgs(func() error { *calls = append(*calls, "complete"); return nil }),
				Run:      func(context.Context) error { *calls = append(*calls, "run"); return nil },
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			steps := recordingSteps(t, &calls, tt.fail)
			if tt.steps != nil {
				steps = tt.steps(&calls, tt.fail)
			}
			cmd := &cobra.Command{}
			cmd.SetContext(context.WithValue(context.Background(), ctxKey{}, "cmd"))
			err := steps.RunE(cmd, []string{"a", "b"})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("RunE error = %v, want %v", err, tt.wantErr)
			}
			if !slices.Equal(calls, tt.wantCalls) {
				t.Errorf("calls = %q, want %q", calls, tt.wantCalls)
			}
		})
	}
}

// recordingSteps records each call in calls; the step whose name fail
// carries returns fail.
func recordingSteps(t *testing.T, calls *[]string, fail error) Steps {
	step := func(name string) error {
		if fail != nil && fail.Error() == name {
			return fail
		}
		return nil
	}
	return Steps{
		Complete: func(args []string) error {
			*calls = append(*calls, "complete "+fmt.Sprint(args))
			return step("complete")
		},
		Validate: func() error { *calls = append(*calls, "validate"); return step("validate") },
		Run: func(ctx context.Context) error {
			if ctx.Value(ctxKey{}) != "cmd" {
				t.Errorf("Run got a context other than the command's")
			}
			*calls = append(*calls, "run")
			return step("run")
		},
	}
}
