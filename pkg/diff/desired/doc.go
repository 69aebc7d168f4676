// Package desired loads the objects Git declares for a diff: a kustomize
// folder on disk, the same folder at a Git revision (read from the
// repository's objects, without a checkout), a source named in gitward.yaml,
// or plain manifest files as `kubectl diff -f` takes them.
//
// It also finds the source name the objects belong to (from the caller, or
// from the gitward.yaml source whose path is the rendered folder), which a
// cluster diff needs to find the objects that would be pruned.
package desired
