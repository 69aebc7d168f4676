// Package trace answers, for one live object, "where does this come from?":
// the source that declares it (its gitward.dev/source label and the
// source's entry in gitward.yaml), the commit its content was rendered from
// (its gitward.dev/commit annotation: author, date, subject, read from a
// local Git repository), the file in the repository that declares it
// (kustomize's origin, rendered from the Git tree at that commit with
// pkg/render, no checkout needed), and whether the live object differs now
// from what Git declares at that commit (pkg/diff on that one object).
//
// [Lookup] maps "KIND/NAME" to a resource and reads the live object; [Trace]
// does the rest. Every failure names the object and says what to do: an
// object without the source label is not managed ([ErrNotManaged]); a commit
// missing from the local repository must be fetched ([ErrCommitNotLocal]).
package trace
