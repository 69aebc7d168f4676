// Package check is the logic of `git gitops check`: it renders every
// environment of a repository (or the named ones) and reports what must not
// reach a cluster.
//
// Findings, each naming the environment, the object, the file that declared
// it and what to do:
//
//   - render: the environment does not render (kustomize error, a base
//     outside the repository, a remote base).
//   - plaintext-secret: a Secret with data or stringData is committed; or
//     a ConfigMap holds something that looks like a credential (an AWS
//     access key, a PEM private key, a password=/token= style key with a
//     value that is not a placeholder). Values are never printed.
//   - duplicate: the same object (group, kind, namespace, name) is rendered
//     twice.
//   - missing-namespace: a namespaced object has no namespace, so it would
//     land in whatever namespace the applier defaults to. Scope comes from
//     a built-in list of Kubernetes kinds and from the CRDs declared in the
//     same rendering; kinds of unknown scope are not reported.
//   - policy: a Kyverno policy (under policies/, or the paths gitward.yaml
//     names) fails or errors on an object; evaluated by pkg/policy with
//     Kyverno's own engine.
//   - policy-invalid: a policy file does not load, or Kyverno rejects a
//     policy.
//
// The package never prints; callers format the Report (text, JSON, or a
// wgpolicyk8s.io PolicyReport per environment).
package check
