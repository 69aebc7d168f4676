// Package admitscope defines, once, which admission requests reach
// gitward: the system identities that are exempt (by exact name), the
// namespaces that are excluded, the resources that are never sent, and the
// three webhooks with their paths, selectors, rules and CEL matchConditions.
//
// Everything that states the scope is generated from this package, so the
// statements cannot drift apart:
//
//   - manifests/webhook/validatingwebhookconfiguration.yaml
//     ([WebhookConfiguration]),
//   - manifests/vap/policy.yaml and binding.yaml (the ValidatingAdmissionPolicy
//     floor: [Policy], [PolicyBinding]),
//   - the scope table in docs/security.md ([SecurityTable]),
//
// by `make generate` (hack/genadmission); a golden test fails when one of
// them is stale. pkg/admit takes its default exemptions from [ExemptUsers]
// and [ExemptGroups], so a request that the configuration would have kept
// away from the webhook is also exempt when it arrives another way.
//
// Exemptions are exact names, never patterns: a pattern such as
// "system:serviceaccount:kube-system:*-controller" also exempts any
// ServiceAccount someone creates in kube-system with a matching name.
package admitscope
