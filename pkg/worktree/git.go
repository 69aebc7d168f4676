package worktree

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Runner runs git. Tests substitute one that fails on purpose.
type Runner interface {
	// Run runs git with args in dir, feeding it stdin, and returns its
	// standard output. The error names the command and quotes git's
	// standard error.
	Run(ctx context.Context, dir string, stdin []byte, args ...string) ([]byte, error)
}

// ExecRunner runs the git found on PATH (or Path, when set).
type ExecRunner struct {
	// Path is the git executable; "" means "git" on PATH.
	Path string
	// Env, when not nil, is the environment of every git process.
	Env []string
}

var _ Runner = ExecRunner{}

// ErrGit wraps every failure of a git command.
var ErrGit = errors.New("git failed")

// Run implements Runner.
func (r ExecRunner) Run(ctx context.Context, dir string, stdin []byte, args ...string) ([]byte, error) {
	bin := r.Path
	if bin == "" {
		bin = "git"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = r.Env
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(stdout.String())
		}
		if msg != "" {
			return stdout.Bytes(), fmt.Errorf("%w: git %s: %s: %w", ErrGit, strings.Join(args, " "), msg, err)
		}
		return stdout.Bytes(), fmt.Errorf("%w: git %s: %w", ErrGit, strings.Join(args, " "), err)
	}
	return stdout.Bytes(), nil
}

// git runs a git command in the tree's root and returns its trimmed output.
func (t *Tree) git(ctx context.Context, stdin []byte, args ...string) (string, error) {
	out, err := t.runner.Run(ctx, t.Root, stdin, args...)
	return strings.TrimRight(string(out), "\n"), err
}
