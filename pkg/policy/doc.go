// Package policy evaluates Kyverno policies against rendered objects with
// Kyverno's own engine.
//
// It is the only package of gitward that imports github.com/kyverno/kyverno
// (the engine makes binaries large); everything it returns is gitward's own
// type, so callers never import Kyverno.
//
// Policies are read with the loader of the kyverno CLI
// (cmd/cli/kubectl-kyverno/policy) and evaluated with the CLI's policy
// processor (cmd/cli/kubectl-kyverno/processor), driven the same way
// `kyverno test` drives it: the same policy validation, the same fake
// cluster, the same engine configuration, and the same policy report
// results (cmd/cli/kubectl-kyverno/report). So a policy that passes, fails
// or skips an object under `kyverno test` does the same here.
//
// Supported kinds: ClusterPolicy and Policy (kyverno.io: validate, mutate,
// generate and verifyImages rules, including pattern, anyPattern,
// preconditions, deny conditions and foreach), the CEL ValidatingPolicy and
// NamespacedValidatingPolicy (policies.kyverno.io), MutatingPolicy,
// ValidatingAdmissionPolicy with its bindings, and PolicyException (both
// kyverno.io/v2 and policies.kyverno.io). Other kinds found beside the
// policies are reported as warnings and ignored.
//
// Output: a [Report] of [Result]s (one per policy, rule and object), which
// converts to a wgpolicyk8s.io/v1alpha2 PolicyReport, the format Kyverno
// reports in.
package policy
