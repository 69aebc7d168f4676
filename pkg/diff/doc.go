// Package diff compares Kubernetes objects: what Git declares against what a
// cluster runs, or one rendering of an environment against another.
//
// The pure part, [Objects], takes two sets of objects ("before" and "after"),
// pairs them by [Key] (group, kind, namespace, name; the API version does not
// matter) and returns a [Result]: the objects to create, the objects that
// differ and the objects to delete (prune), each with a unified diff of its
// YAML. When a "before" object carries metadata.managedFields (it came from a
// cluster), each changed object also names the field managers that own the
// fields that differ: who drifted (kubectl-edit, kubectl-client-side-apply, a
// person's manager, a controller). A Result renders as a coloured unified
// diff ([Result.WriteText]), a table ([Result.WriteSummary]), or JSON and
// YAML for CI ([Result.WriteJSON], [Result.WriteYAML]).
//
// The cluster part, [Live], computes the desired objects' Result against a
// cluster the way `kubectl diff` does, only faster: one LIST per kind and
// namespace, a cheap local comparison of the fields Git declares with the
// live object, and a server-side dry-run apply only for the objects that
// comparison cannot prove equal.
//
// # Secret masking
//
// Secret values never reach the output: every value under data and
// stringData of a Secret, and the kubectl last-applied annotation of a
// Secret, is replaced by a mask "*** (hmac:0123456789ab)" before any YAML,
// JSON or diff is produced, and errors about Secrets carry no server
// message. The mask is the first 12 hex digits of HMAC-SHA256 over the key
// name and the decoded value, keyed with 32 random bytes drawn once per
// [Masker] (once per run). So, within one run, the same value of the same key
// shows the same mask on both sides and a changed value shows a different
// one; but a mask cannot be looked up in a table of common passwords, does
// not reveal the value's length, does not match between runs, and does not
// show that two different keys hold the same value. data (base64) and
// stringData (plain) are compared on their decoded bytes, so moving a value
// from stringData to data does not look like a change.
package diff
