package seal

import (
	"fmt"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Scope is how far a SealedSecret may move: sealed-secrets' SealingScope.
type Scope = ssv1alpha1.SealingScope

// The scopes. Strict binds the value to the Secret's namespace and name,
// namespace-wide to its namespace, cluster-wide to nothing.
const (
	Strict        = ssv1alpha1.StrictScope
	NamespaceWide = ssv1alpha1.NamespaceWideScope
	ClusterWide   = ssv1alpha1.ClusterWideScope
)

// ScopeNames lists the names ParseScope accepts, for flag help and completion.
var ScopeNames = []string{"strict", "namespace-wide", "cluster-wide"}

// ParseScope parses strict, namespace-wide or cluster-wide.
func ParseScope(s string) (Scope, error) {
	var sc Scope
	if s == "" {
		return Strict, fmt.Errorf("%w: empty: use one of strict, namespace-wide, cluster-wide", ErrInvalidScope)
	}
	if err := sc.Set(s); err != nil {
		return Strict, fmt.Errorf("%w %q: use one of strict, namespace-wide, cluster-wide", ErrInvalidScope, s)
	}
	return sc, nil
}

// ScopeName returns the flag name of sc.
func ScopeName(sc Scope) string { return sc.String() }

// ScopeOf returns the scope an object's sealed-secrets annotations declare
// (strict when it has none).
func ScopeOf(o metav1.Object) Scope { return ssv1alpha1.SecretScope(o) }

// Label is the RSA-OAEP label that binds a value to its scope: "ns/name"
// (strict), "ns" (namespace-wide) or "" (cluster-wide).
func Label(namespace, name string, sc Scope) []byte {
	return ssv1alpha1.EncryptionLabel(namespace, name, sc)
}

// checkTarget refuses a name or namespace that the scope needs but is empty.
// what names the object in the error.
func checkTarget(what, namespace, name string, sc Scope) error {
	if sc == Strict && name == "" {
		return fmt.Errorf("%s: %w: strict scope binds the value to a name; give the Secret a metadata.name (or --name), or use --scope namespace-wide or cluster-wide",
			what, ErrMissingName)
	}
	if sc != ClusterWide && namespace == "" {
		return fmt.Errorf("%s: %w: %s scope binds the value to a namespace; give the Secret a metadata.namespace (or -n/--namespace), or use --scope cluster-wide",
			what, ErrMissingNamespace, ScopeName(sc))
	}
	return nil
}
