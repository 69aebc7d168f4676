// Package expand turns the Flux and Argo CD objects of a rendering into the
// objects they stand for, so that diff, trace, check, promote, the agent and
// the webhook see (and guard) the Deployments a HelmRelease or an
// Application makes, not only the HelmRelease or Application itself.
//
// It runs after pkg/render, over its output, and knows:
//
//   - Flux Kustomization (kustomize.toolkit.fluxcd.io): spec.path of this
//     repository (sourceRef GitRepository flux-system, or one whose URL is
//     this repository's, or an ExternalArtifact an ArtifactGenerator copies
//     from it), rendered with spec.targetNamespace, spec.patches and
//     spec.images, ordered by spec.dependsOn; a folder without a
//     kustomization gets the one Flux generates (every YAML file below it).
//   - Flux HelmRelease (helm.toolkit.fluxcd.io): its chart from a
//     HelmRepository (HTTP or OCI), an OCIRepository (spec.chartRef) or a
//     GitRepository of this repository, with spec.values over
//     spec.valuesFrom (ConfigMaps and Secrets of the same rendering).
//   - Argo CD Application (argoproj.io): a source of this repository
//     (source.path: a chart, a kustomization or a plain folder) or a remote
//     chart (source.chart, repoURL, targetRevision), with helm.valueFiles,
//     values, valuesObject and parameters, objects without a namespace put
//     in destination.namespace.
//
// An object is replaced by its expansion (gitward then applies the
// objects itself, stamped as everything else, and its controller has
// nothing to do). What cannot be expanded by design — a source in another
// repository or branch, a Bucket, postBuild substitutions — is kept as it
// is, with a Note saying why, so that its controller still handles it.
// What should expand and fails (a chart that cannot be fetched or
// rendered) is an error: a rendering that silently lost a release's
// objects would prune them.
//
// Expansion is recursive (an Application that renders Applications, the
// app-of-apps pattern; a Kustomization whose path holds Kustomizations),
// bounded by Expander.MaxDepth, and refuses cycles.
package expand
