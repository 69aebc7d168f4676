// Package config reads gitward.yaml, the file at the root of a repository
// that names its environments and sources, and falls back to conventional
// layouts when the file is absent. Every gitward program reads it.
//
// # The file
//
//	apiVersion: gitward.dev/v1alpha1   # required, exactly this
//	kind: Config                       # required, exactly this
//	environments:                      # promotion order: first → last
//	  - name: staging                  # DNS label (RFC 1123), unique
//	    path: overlays/staging         # folder of the kustomization
//	  - name: production
//	    path: overlays/production
//	  - name: production-eu            # a Helm chart in the repository
//	    chart:
//	      path: helm                   # the chart folder (Chart.yaml)
//	      values: [helm/values-production.yaml]  # merged in order, like helm -f
//	      release: shop                # default: the chart folder's base name
//	      namespace: shop              # .Release.Namespace, and the namespace of objects naming none
//	    # path defaults to the last values file (else chart.path); it is how
//	    # sources and renders name this environment, so chart environments
//	    # must not share one.
//	sources:                           # what an agent/webhook tracks
//	  - name: production               # DNS label, unique; the source label value
//	    repo: https://git.example.com/org/manifests.git
//	    branch: main
//	    path: overlays/production
//	    expand: true                   # Flux/Argo CD objects → their objects (default)
//	promotion:
//	  images: true                     # promote kustomize images (default true)
//	  files: []                        # files, relative to the environment folder
//	  configMapLiterals:               # configMapGenerator literals (KEY=value)
//	    - name: app-config             # the generator's name
//	      keys: [LOG_LEVEL]            # omitted: every key
//	  yamlPaths:                       # single values inside YAML files
//	    - file: podinfo-values.yaml    # relative to the environment folder
//	      path: spec.chart.spec.version  # dotted; list filters: containers[name=app].image
//	      kind: HelmRelease            # optional: which documents of the file
//	      name: podinfo                # optional
//	policies: [policies/]              # Kyverno policies for `git gitops check`
//
// Decoding is strict: an unknown or repeated field, a value of the wrong
// type, or a second YAML document is an error. Every error names the file,
// the line and column, and the field ("gitward.yaml:7:11:
// environments[1].path: ..."); validation reports all problems at once
// (errors.Join of *FieldError) and each wraps a sentinel (ErrUnknownField,
// ErrInvalidPath, ...).
//
// Paths (environment and source paths, promotion files, policies) are
// slash-separated, relative and clean: no leading "/", no "..", no "." or
// empty elements, no backslashes. Environment and source paths may be "."
// (the repository root). A policy path may end in "/" to mark a folder.
// Paths are not checked for existence: rendering reports a missing folder,
// and one environment's typo must not stop the agents of the others.
//
// # Defaults
//
//   - environments omitted (not `[]`): discovered from the conventional
//     layouts, as if there were no file (Load and LoadFS only).
//   - sources omitted (not `[]`): one per environment, with the environment's
//     name and path, repo "" and the default branch.
//   - source repo "": this checkout's origin (the caller resolves it).
//   - source branch "": the default branch. Load uses the branch the checkout
//     at repoRoot has checked out (HEAD → refs/heads/<branch>), else "main";
//     LoadFS and Parse use "main"; Options.DefaultBranch overrides both.
//   - promotion.images: true.
//   - policies omitted: ["policies/"] when the tree has a policies folder
//     (Load and LoadFS), else none. Parse, which sees no tree, leaves it empty.
//
// # Conventional layouts
//
// Without gitward.yaml, Flux's layout is tried first: clusters/<env> folders
// holding Flux Kustomization objects (kustomize.toolkit.fluxcd.io) are the
// environments, with or without a kustomization file (Flux generates one;
// so does pkg/expand). Then the folders overlays/, apps/ and clusters/ are
// tried in that order, and the first that yields an environment is the layout (they
// are never mixed; write gitward.yaml to choose otherwise). Each sub-folder
// holding a kustomization.yaml, kustomization.yml or Kustomization file is an
// environment named after the folder, except base, bases, components and
// hidden folders; symbolic links are not followed. A folder whose name is not
// a DNS label is an error that says so. When none has any, Argo CD's
// layout: every top-level folder that is a Helm chart, a kustomization or a
// folder of manifests is an environment (argoproj/argocd-example-apps).
// See docs/flux-argo.md.
//
// Environments are ordered for promotion by name: dev, development, test,
// qa, staging, stage, preprod; then any other name, alphabetically; then
// production, prod; then names starting with "production-" or "prod-"
// (prod-eu, prod-us), alphabetically. Production comes last because it is
// the end of every promotion chain; an unknown name (uat, canary) is most
// likely a step before it.
package config
