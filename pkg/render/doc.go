// Package render runs kustomize over a folder on disk or over an fs.FS
// (typically a Git tree at one commit) and returns the rendered objects.
//
// It uses the same kustomize library and the same build options as
// `kubectl kustomize` in kubectl v1.36.3 (sigs.k8s.io/kustomize/api v0.21.1,
// load restrictor RootOnly, plugins and Helm disabled, legacy sort order
// unless the kustomization sets sortOptions), so [Result.YAML] is
// byte-identical to `kubectl kustomize <dir>`.
//
// Rendering is read-only and confined to a root (the repository boundary):
//
//   - a symlink whose target leaves the root, directly or through a chain of
//     symlinks, is refused with [ErrEscapesRoot]; symlinks are resolved by
//     this package through fs.ReadLinkFS and never followed by the OS;
//   - a `../` reference (resource, component, patch, generator file, ...)
//     that leaves the root is refused with [ErrEscapesRoot]; `../` between
//     folders inside the root (overlays/dev → ../../base) keeps working;
//   - remote bases and resources (URLs, git@host:..., github.com/...,
//     ?ref=...) are refused with [ErrRemoteBase] before kustomize sees them,
//     so kustomize never runs `git` or fetches over HTTP, unless
//     [Options.AllowRemote] is set.
//
// For each object the package also records, cheaply, the file that declared
// it ([Origin]); it gets these from kustomize's own origin tracking and
// strips the annotations again, exactly as kustomize does when buildMetadata
// is set, so the YAML output is unchanged.
package render
