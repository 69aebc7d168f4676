// Package agent is gitward-agent's sync loop: for each source it fetches the
// branch (shallow, bounded in time), optionally verifies the head commit's
// OpenPGP signature, renders the source's kustomization at the head, applies
// it with pkg/apply, prunes with pkg/inventory and reports.
//
// A cycle runs on start, on the interval, when the push-webhook endpoint is
// called, and — without fetching — after a debounced watch event on a managed
// object that someone other than gitward changed (self-heal). Failures keep
// the last state: a fetch, signature or render failure applies and prunes
// nothing; an apply failure applies what it can and prunes nothing; either
// way the next attempt backs off exponentially up to the interval.
//
// # Status
//
// The status of a source lives in the status of its SourceState object
// (gitward.dev/v1alpha1, kind SourceState, in the agent's namespace, named
// after the source), the same record object that holds the source's
// inventory (see pkg/inventory). A small CRD was chosen over a ConfigMap so
// that the status has a schema, printer columns (`kubectl get sourcestates`)
// and RBAC of its own, and no data of other programs lives next to it.
// `kubectl gitops status` reads status with the fields of [Status]: the
// branch head, the last applied commit, counts of applied, pruned, failed and
// drifted objects, the drifted objects with the field managers that changed
// them, conditions (Fetched, Verified, Rendered, Applied, Pruned, Ready) and
// the last error. The status is written only when it changed, so a resync
// with no change writes nothing at all.
//
// Events are recorded on the SourceState object; Prometheus metrics are
// registered with the Registerer given in Options (see [Metrics]).
package agent
