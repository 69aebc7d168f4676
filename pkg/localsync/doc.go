// Package localsync is `kubectl gitops sync`: a one-shot apply of a source
// from a Git checkout, through the agent's own engine (pkg/apply), for
// bootstrapping a cluster and for push-mode CI.
//
// [Prepare] finds the source (a gitward.yaml source, or the source whose
// path is a given folder), resolves the checkout's HEAD commit and renders
// the source. The objects are stamped with HEAD, so HEAD must describe
// them: the webhook compares every field with Git's rendering at that
// commit. Prepare therefore renders the folder both from the working tree
// and from the Git tree at HEAD, and refuses ([ErrDirty]) when the two
// differ — uncommitted or untracked changes that reach the rendering —
// unless AllowDirty is set. Unrelated dirty files do not matter. It also
// warns when HEAD is not on the source's branch, which the webhook
// requires.
//
// [Sync] applies a Plan like the agent does: Namespaces and CRDs first,
// digest skip, field manager gitward; with Prune it records the inventory
// in the source's SourceState before applying (write-ahead, as the agent)
// and prunes what Git no longer declares, under pkg/inventory's guards.
package localsync
