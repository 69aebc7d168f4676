// Package inventory remembers, per source, which objects gitward applied, and
// prunes the ones Git no longer declares.
//
// # Record object, not ApplySet
//
// The inventory is a record object: the status of one SourceState object
// (gitward.dev/v1alpha1, namespaced, in the agent's namespace, named after
// the source) lists every object the source applied as "group/Kind/namespace/name".
// The agent keeps the rest of the source's status in the same object, so
// `kubectl gitops status` reads one object per source.
//
// An ApplySet parent (KEP-3659) was considered and not chosen:
//
//   - ApplySet membership is a second label (applyset.kubernetes.io/part-of)
//     besides gitward's contract label gitward.dev/source, and pruning lists
//     every member kind by that label. A label can be copied by hand onto any
//     object; the record only ever names objects gitward applied itself, and
//     pruning also requires the live object to carry the source label
//     (belt and braces).
//   - The parent records group-kinds only. A delete that fails must be
//     retried, and an object of a kind Git no longer renders at all must
//     still be found; the record keeps the exact object until it is gone.
//   - Pruning from a record costs one metadata GET per removed object, not
//     one LIST per kind ever used.
//
// The record holds about 40 bytes per object; the API server's object size
// limit (1.5 MiB) bounds a source to roughly 30,000 objects.
//
// # Rules
//
// [Pruner.Prune] never touches an object without the source label, prunes
// nothing when the rendering is empty unless AllowEmpty is set, deletes a
// Namespace or a CustomResourceDefinition only when the live object carries
// the opt-in annotation gitward.dev/prune: allow, deletes with the live UID
// as a precondition, and keeps an object whose delete failed in the
// inventory so that the next run retries it. A kind the REST mapper does not
// know is looked up again after one reset of the mapper per Prune (the
// Applier's path, apply.ResetOnce); its entries are dropped only when the
// kind is provably gone (its CRD deleted, which deletes its objects), and
// kept otherwise. The caller must not call Prune
// when the fetch, the rendering or an apply failed; it records the union of
// the old inventory and the declared objects instead (see [Union]), before
// applying, so that an agent killed mid-apply never forgets an object.
package inventory
