package render

import "errors"

// ErrEscapesRoot is wrapped by errors for a symlink or a `../` reference
// whose target lies outside the root being rendered.
var ErrEscapesRoot = errors.New("path escapes the repository root")

// ErrRemoteBase is wrapped by errors for a remote base or resource (a URL,
// a git@host:... address, github.com/..., a ?ref= query) when
// Options.AllowRemote is false.
var ErrRemoteBase = errors.New("remote bases are not allowed")

// ErrNoKustomization is wrapped when the folder to render has no
// kustomization.yaml, kustomization.yml or Kustomization file; like
// `kubectl kustomize`, a plain folder of YAML is not rendered.
var ErrNoKustomization = errors.New("no kustomization file")

// ErrReadOnly is wrapped when kustomize tries to write to the tree being
// rendered; rendering never modifies it.
var ErrReadOnly = errors.New("the tree being rendered is read-only")

// displayError carries a message in which internal virtual paths were
// rewritten for the reader, while errors.Is/As still reach the original.
type displayError struct {
	msg string
	err error
}

func (e *displayError) Error() string { return e.msg }
func (e *displayError) Unwrap() error { return e.err }
