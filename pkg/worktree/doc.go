// Package worktree changes a Git checkout all or nothing: it writes files,
// stages them and commits them with the user's own git (so user.name,
// user.email, commit signing and commit hooks are honoured), optionally on a
// new branch and pushed; and on any error — a failed write, a refusing hook,
// a rejected push, a cancelled context — it puts the working tree, the index
// and the refs back exactly as they were (the index byte for byte).
//
// Writes go through the git command line on purpose: `git gitops` runs as a
// git subcommand, so the git that invoked it is on PATH, and only git itself
// knows every way a user configures identity, signing and hooks. Reading
// (trees, commits, history) is done with go-git by the callers.
//
// Tree.Apply is the one entry point:
//
//	t, _ := worktree.Open(ctx, dir, nil)
//	res, err := t.Apply(ctx, []worktree.Change{{Path: "overlays/prod/kustomization.yaml", Content: b}},
//	    worktree.Options{Message: msg, Branch: "promote/prod", Push: true})
//
// With Options.Branch the commit goes on a new branch created at HEAD, and
// the checkout stays on the branch it was on, unchanged: review the branch,
// push it, open a pull request.
package worktree
