package provenance

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// Prefix is the prefix of every label and annotation key gitward defines.
const Prefix = "gitward.dev/"

// LabelSource is the label naming the source that declares an object. It is
// the inventory selector: an object without it is never pruned.
const LabelSource = Prefix + "source"

// AnnotationCommit is the annotation holding the full commit id whose
// rendering produced the object's current content.
const AnnotationCommit = Prefix + "commit"

// AnnotationDigest is the annotation holding Digest of the rendered object,
// "sha256:<64 lowercase hex>".
const AnnotationDigest = Prefix + "digest"

// AnnotationPruneOptIn lets Git opt an object into pruning where gitward would
// otherwise refuse to delete it. Namespaces and CustomResourceDefinitions are
// never pruned (deleting them deletes everything inside) unless the object
// declared in Git carries AnnotationPruneOptIn with the value PruneAllow.
const AnnotationPruneOptIn = Prefix + "prune"

// PruneAllow is the value of AnnotationPruneOptIn that allows pruning.
const PruneAllow = "allow"

// FieldManager is the server-side apply field manager gitward applies with.
const FieldManager = "gitward"

// SyncFieldManager is the field manager of `kubectl gitops sync`: a person's
// one-shot apply. Only the agent writes as FieldManager; the webhook denies
// that manager to everyone else (the agent trusts what it owns).
const SyncFieldManager = "kubectl-gitops"

// LastAppliedAnnotation is kubectl's client-side apply annotation. It is not
// content and Digest ignores it.
const LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// SourceSelector returns the label selector, in its string form, that selects
// the objects of source: "gitward.dev/source=<source>".
func SourceSelector(source string) string {
	return LabelSource + "=" + source
}

// SourceOf returns the value of the source label of u and whether it is set.
func SourceOf(u *unstructured.Unstructured) (string, bool) {
	if u == nil {
		return "", false
	}
	s, ok := u.GetLabels()[LabelSource]
	return s, ok
}

// PruneAllowed reports whether u carries AnnotationPruneOptIn set to PruneAllow.
func PruneAllowed(u *unstructured.Unstructured) bool {
	if u == nil {
		return false
	}
	return u.GetAnnotations()[AnnotationPruneOptIn] == PruneAllow
}
