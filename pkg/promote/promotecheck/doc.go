// Package promotecheck is the promote.Checker of `git gitops promote` and
// `git gitops rollback`: pkg/check (render errors, plaintext Secrets,
// duplicates, missing namespaces, Kyverno policies) run on the target
// environment as it will be after the change. It lives apart from
// pkg/promote so that pkg/promote does not link Kyverno's engine.
package promotecheck
