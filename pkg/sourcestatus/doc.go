// Package sourcestatus reads the status gitward-agent keeps per source, for
// `kubectl gitops status`.
//
// The agent records each source in a SourceState object
// (gitward.dev/v1alpha1, see pkg/inventory) in its own namespace: the branch
// head it last fetched, the commit it last applied, the counts of its last
// cycle (applied, pruned, failed, drifted), its last error and its
// conditions. [List] reads them with one LIST and [Source] decodes each
// without importing the agent, so the plugin stays small; [WriteTable] and
// [WriteJSON] print them.
package sourcestatus
