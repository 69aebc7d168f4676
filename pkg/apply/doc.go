// Package apply server-side-applies a rendered set of objects for one source,
// the engine shared by gitward-agent and `kubectl gitops sync`.
//
// An [Applier] takes the objects Git declares at one commit and:
//
//   - stamps the contract on each of them with pkg/provenance (source label,
//     commit and digest annotations);
//   - applies Namespaces and CustomResourceDefinitions first, waits until
//     every applied CRD is Established and refreshes the REST mapper, then
//     applies everything else;
//   - skips an object whose live digest annotation equals the digest of its
//     rendering, so that a resync with no change writes nothing. The live
//     digests come from one metadata-only LIST per kind (selected by the
//     source label), never from a GET per object;
//   - applies the rest with a bounded pool of workers, with field manager
//     "gitward" and, as a setting, forcing conflicts;
//   - reports each failure as an [ObjectError] naming the object and the file
//     that declared it; one object failing never stops the others.
//
// # Drift
//
// An object whose digest is unchanged may still have drifted: `kubectl edit`,
// `scale` or `set image` keep the annotations and change a field Git
// declares. Such a change moves the field's ownership to another field
// manager, so an object is a drift candidate when a manager other than
// gitward owns fields outside the status subresource. A candidate is checked
// with a server-side dry-run apply without force: a conflict names the
// managers and fields that changed (drift); otherwise the dry-run result is
// compared with the live object by digest. A candidate found clean is
// remembered by a fingerprint of its managed fields, so later resyncs do not
// check it again until its managed fields change. In [ModeEnforce] a drifted
// object is re-applied (forcing conflicts when [Options.Force] is set); in
// [ModeDetect] nothing is written and the drift is only reported.
package apply
