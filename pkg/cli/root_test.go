package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func TestNewCmdRoot(t *testing.T) {
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	errBoom := errors.New("boom")
	fail := &cobra.Command{Use: "fail", RunE: func(*cobra.Command, []string) error { return errBoom }}
	root := NewCmdRoot("gitward-test", "A binary under test", streams, fail)

	if root.Name() != "gitward-test" || root.Short != "A binary under test" {
		t.Errorf("root = %q (%q), want gitward-test (A binary under test)", root.Name(), root.Short)
	}
	var names []string
	for _, c := range root.Commands() {
		names = append(names, c.Name())
	}
	if got := strings.Join(names, " "); got != "fail version" {
		t.Errorf("subcommands = %q, want fail and version", got)
	}

	// Execute prints a failed run's error once, and no usage.
	root.SetArgs([]string{"fail"})
	if code := Execute(root, streams); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	if got := errOut.String(); got != "error: boom\n" {
		t.Errorf("stderr = %q, want only the error", got)
	}

	out.Reset()
	root.SetArgs([]string{"version"})
	if code := Execute(root, streams); code != 0 {
		t.Errorf("version: exit code %d, want 0", code)
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("gitward-test ")) {
		t.Errorf("version printed %q, want the binary's name first", out)
	}
}
