package admitscope

import "slices"

// GitwardNamespace is where gitward-webhook and gitward-agent run.
const GitwardNamespace = "gitward-system"

// NamespaceNameLabel is set by the API server on every Namespace to its
// name and cannot be changed, so a namespaceSelector on it is exact.
const NamespaceNameLabel = "kubernetes.io/metadata.name"

// excludedNamespaces are never sent to the webhook, whatever their labels:
// the control plane's own namespaces, so that a webhook outage can never
// stop the system (leader election in kube-system, node heartbeats in
// kube-node-lease, cluster-info in kube-public), and gitward's, so that the
// webhook's own Deployment can always be repaired while it is down.
var excludedNamespaces = []string{"kube-system", "kube-public", "kube-node-lease", GitwardNamespace}

// ExcludedNamespaces returns the namespaces no request from is sent.
func ExcludedNamespaces() []string { return slices.Clone(excludedNamespaces) }
