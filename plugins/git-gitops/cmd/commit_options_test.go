package cmd

import (
	"errors"
	"io"
	"testing"

	"github.com/spf13/pflag"
)

func TestCommitOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
	}{
		{name: "none"},
		{name: "branch and push", args: []string{"--branch", "b", "--push"}},
		{name: "dry-run", args: []string{"--dry-run", "--allow-dirty", "--color"}},
		{name: "dry-run branch", args: []string{"--dry-run", "--branch", "b"}, wantErr: true},
		{name: "dry-run push", args: []string{"--dry-run", "--push"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o CommitOptions
			f := pflag.NewFlagSet("test", pflag.ContinueOnError)
			o.addFlags(f)
			if err := f.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if err := o.complete(io.Discard); err != nil {
				t.Fatal(err)
			}
			if o.Dir == "" || o.Check == nil {
				t.Errorf("complete left Dir %q, Check %v", o.Dir, o.Check)
			}
			err := o.validate()
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, errUsage)) {
				t.Errorf("validate() = %v, want an error: %v (wrapping errUsage)", err, tt.wantErr)
			}
			if got := o.target(); got.Branch != o.Branch || got.Push != o.Push {
				t.Errorf("target() = %+v, want branch %q push %v", got, o.Branch, o.Push)
			}
		})
	}
}
