// Package history finds the commits that changed an environment's rendered
// output: `git gitops history ENV`.
//
// It walks the first-parent history from a revision (HEAD by default) and
// renders the environment's kustomization at commits, from the Git trees,
// without a checkout. A commit is listed when the digest (sha256) of the
// rendering differs from its parent's: a change to a base the environment
// uses counts, a commit that only touches other environments or unrelated
// files does not.
//
// Rendering every commit would be slow, so each rendering records the paths
// kustomize read (files, folders it listed, paths it found missing) with
// their Git object ids. The parent has the same rendering, without
// rendering it, when none of those paths differ between the two trees:
// kustomize is a pure function of the bytes it reads. Digests are also kept
// in a Cache (a file in the Git folder for the command), keyed by commit
// and environment path, so that a second run renders nothing.
//
// Commits made by `git gitops promote` carry a trailer
// "Promoted-From: <env>@<commit>"; their entries say so.
package history
