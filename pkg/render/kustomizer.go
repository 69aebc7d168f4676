package render

import (
	"sync"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
)

// newKustomizer returns kustomize configured as `kubectl kustomize` with
// no flags (k8s.io/kubectl v0.36.3 pkg/cmd/kustomize → kustomize/v5
// commands/build): reorder unspecified (legacy order unless the
// kustomization sets sortOptions), load restrictor RootOnly, plugins
// disabled. Unlike kubectl, helmCharts are rendered, as
// `kustomize build --enable-helm` renders them, but in-process by tmpl
// (see helm.go) instead of a helm binary. kubectl also adds the managed-by label when the
// environment sets KUSTOMIZE_ENABLE_MANAGEDBY_LABEL=on; a library does not
// read the environment, so that label is never added.
func newKustomizer(tmpl types.HelmTemplateFunc) *krusty.Kustomizer {
	o := krusty.MakeDefaultOptions()
	o.Reorder = krusty.ReorderOptionUnspecified
	o.LoadRestrictions = types.LoadRestrictionsRootOnly
	o.PluginConfig = types.DisabledPluginConfig()
	// Without tmpl helmCharts fail as in kubectl (must specify --enable-helm):
	// the helm binary is never run.
	o.PluginConfig.HelmConfig.Enabled = tmpl != nil
	o.PluginConfig.HelmConfig.Command = "helm"
	o.PluginConfig.HelmConfig.Template = tmpl
	o.PluginConfig.HelmConfig.ApiVersions = []string{}
	o.AddManagedbyLabel = false
	return krusty.MakeKustomizer(o)
}

// schemaMu guards kustomize's process-wide OpenAPI schema (kyaml/openapi
// keeps it in package variables). A kustomization with an openapi field
// replaces that schema for its build, and kustomize never puts the default
// back, so such a render runs alone and resets the schema afterwards;
// other renders share the default schema.
var schemaMu sync.RWMutex

// lockSchema takes schemaMu as k needs it and returns the unlock.
func lockSchema(k *types.Kustomization) func() {
	if k == nil || len(k.OpenAPI) == 0 {
		schemaMu.RLock()
		return schemaMu.RUnlock
	}
	schemaMu.Lock()
	return func() {
		openapi.ResetOpenAPI()
		schemaMu.Unlock()
	}
}

// onDisk is kustomize's on-disk file system, used only for its temporary
// clones of remote bases when Options.AllowRemote is set.
func onDisk() filesys.FileSystem { return filesys.MakeFsOnDisk() }
