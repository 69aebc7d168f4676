// Package provenance is the one place that defines gitward's contract with
// the objects it manages: the keys it writes, how a commit id is spelled and
// how an object's content is digested.
//
// Every object the agent (or `kubectl gitops sync`) applies carries
//
//   - label [LabelSource] ("gitward.dev/source"): the name of the source that
//     declares the object; the inventory selector (see [SourceSelector]);
//   - annotation [AnnotationCommit] ("gitward.dev/commit"): the full commit id
//     whose rendering produced the object's current content (see [CommitID]);
//   - annotation [AnnotationDigest] ("gitward.dev/digest"): "sha256:<hex>" of
//     the normalised rendered object (see [Digest]), so that an unchanged
//     object is never re-applied and its commit annotation does not churn.
//
// [Stamp] writes the three keys; [FromObject] reads them back with errors that
// name the object and the key.
//
// # Commit ids
//
// A commit id is the full object name: exactly 40 (SHA-1) or 64 (SHA-256)
// lowercase hexadecimal digits. Short ids, refs, surrounding whitespace and
// uppercase digits are rejected; the error for uppercase suggests the
// lowercase spelling instead of normalising it, so an annotation has exactly
// one spelling and two annotations can be compared as strings.
//
// # Digest
//
// [Digest] hashes a canonical JSON encoding of the object with SHA-256:
// object keys sorted bytewise, no insignificant whitespace, strings escaped
// only where JSON requires it (", \ and control characters), and numbers
// spelled by value: an integral number within the int64 range is written as
// a decimal integer whatever its Go type (int, int64, float64, json.Number),
// so 3, 3.0 and "3" decoded by a YAML or a JSON decoder all digest the same;
// any other finite number is written in Go's shortest 'g' form. NaN and
// infinities are errors. Integers are kept exact: beyond ±2^53, where a
// float64 decoder has already rounded them, decode numbers as the API
// machinery does (integers as int64) on both sides of a comparison. A changed
// large integer must never look unchanged, so Digest does not round it.
//
// Before encoding, the digest drops what is not part of the rendered content:
//
//   - top-level "status";
//   - metadata.resourceVersion, uid, generation, creationTimestamp,
//     managedFields, selfLink, deletionTimestamp and
//     deletionGracePeriodSeconds;
//   - the contract keys themselves: label gitward.dev/source and annotations
//     gitward.dev/commit and gitward.dev/digest (other gitward.dev/* keys,
//     such as [AnnotationPruneOptIn], are content and are digested);
//   - annotation kubectl.kubernetes.io/last-applied-configuration.
//
// Null and absent are the same: a map entry whose value is null is dropped at
// every depth (null elements of a list are kept, because position matters).
// Empty maps and lists are kept, because Kubernetes gives some of them meaning
// (`emptyDir: {}`, `podSelector: {}`), with one exception:
// metadata.labels and metadata.annotations are dropped when nothing is left
// in them after the keys above are removed. Hence a rendered object and its
// stamped copy always digest equal: Digest(r) == Digest(Stamp(r)).
package provenance
