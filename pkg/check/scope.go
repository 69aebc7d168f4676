package check

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// clusterScoped are the cluster-scoped kinds of Kubernetes' built-in API
// groups (and of a few add-ons commonly found in GitOps repositories).
var clusterScoped = map[schema.GroupKind]bool{
	{Group: "", Kind: "Namespace"}:                                                    true,
	{Group: "", Kind: "Node"}:                                                         true,
	{Group: "", Kind: "PersistentVolume"}:                                             true,
	{Group: "", Kind: "ComponentStatus"}:                                              true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                  true,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:                 true,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                             true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"}:          true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"}:   true,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                   true,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                      true,
	{Group: "storage.k8s.io", Kind: "CSINode"}:                                        true,
	{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                               true,
	{Group: "storage.k8s.io", Kind: "VolumeAttributesClass"}:                          true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                               true,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                      true,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                                true,
	{Group: "networking.k8s.io", Kind: "IPAddress"}:                                   true,
	{Group: "networking.k8s.io", Kind: "ServiceCIDR"}:                                 true,
	{Group: "policy", Kind: "PodSecurityPolicy"}:                                      true,
	{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:                 true,
	{Group: "certificates.k8s.io", Kind: "ClusterTrustBundle"}:                        true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                       true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:       true,
	{Group: "resource.k8s.io", Kind: "DeviceClass"}:                                   true,
	{Group: "resource.k8s.io", Kind: "ResourceSlice"}:                                 true,
	{Group: "authentication.k8s.io", Kind: "TokenReview"}:                             true,
	{Group: "authentication.k8s.io", Kind: "SelfSubjectReview"}:                       true,
	{Group: "authorization.k8s.io", Kind: "SubjectAccessReview"}:                      true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectAccessReview"}:                  true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectRulesReview"}:                   true,
	{Group: "kyverno.io", Kind: "ClusterPolicy"}:                                      true,
	{Group: "kyverno.io", Kind: "ClusterCleanupPolicy"}:                               true,
	{Group: "kyverno.io", Kind: "GlobalContextEntry"}:                                 true,
	{Group: "policies.kyverno.io", Kind: "ValidatingPolicy"}:                          true,
	{Group: "policies.kyverno.io", Kind: "MutatingPolicy"}:                            true,
	{Group: "policies.kyverno.io", Kind: "GeneratingPolicy"}:                          true,
	{Group: "policies.kyverno.io", Kind: "DeletingPolicy"}:                            true,
	{Group: "policies.kyverno.io", Kind: "ImageValidatingPolicy"}:                     true,
	{Group: "cert-manager.io", Kind: "ClusterIssuer"}:                                 true,
	{Group: "wgpolicyk8s.io", Kind: "ClusterPolicyReport"}:                            true,
	{Group: "snapshot.storage.k8s.io", Kind: "VolumeSnapshotClass"}:                   true,
	{Group: "snapshot.storage.k8s.io", Kind: "VolumeSnapshotContent"}:                 true,
	{Group: "gateway.networking.k8s.io", Kind: "GatewayClass"}:                        true,
	{Group: "metrics.k8s.io", Kind: "NodeMetrics"}:                                    true,
}

// builtinGroups are the API groups whose kinds are all known: a kind of one
// of these groups that is not cluster-scoped is namespaced.
var builtinGroups = map[string]bool{
	"": true, "apps": true, "batch": true, "autoscaling": true, "policy": true,
	"networking.k8s.io": true, "rbac.authorization.k8s.io": true,
	"storage.k8s.io": true, "scheduling.k8s.io": true, "node.k8s.io": true,
	"coordination.k8s.io": true, "discovery.k8s.io": true, "events.k8s.io": true,
	"admissionregistration.k8s.io": true, "apiextensions.k8s.io": true,
	"apiregistration.k8s.io": true, "certificates.k8s.io": true,
	"flowcontrol.apiserver.k8s.io": true, "resource.k8s.io": true,
	"kyverno.io": true, "policies.kyverno.io": true, "bitnami.com": true,
	"cert-manager.io": true, "monitoring.coreos.com": true,
	"gateway.networking.k8s.io": true, "snapshot.storage.k8s.io": true,
	"helm.toolkit.fluxcd.io": true, "source.toolkit.fluxcd.io": true,
	"kustomize.toolkit.fluxcd.io": true,
}

// Scope is whether a kind is namespaced.
type Scope int

// Scopes.
const (
	ScopeUnknown Scope = iota
	ScopeNamespaced
	ScopeCluster
)

// scopes says whether kinds are namespaced, from the built-in list and the
// CRDs of one rendering.
type scopes struct {
	crds map[schema.GroupKind]Scope
}

// newScopes collects the scope of every CRD among objs.
func newScopes(objs []*unstructured.Unstructured) scopes {
	s := scopes{crds: map[schema.GroupKind]Scope{}}
	for _, o := range objs {
		if o.GetKind() != "CustomResourceDefinition" || o.GroupVersionKind().Group != "apiextensions.k8s.io" {
			continue
		}
		group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
		scope, _, _ := unstructured.NestedString(o.Object, "spec", "scope")
		if kind == "" {
			continue
		}
		gk := schema.GroupKind{Group: group, Kind: kind}
		switch scope {
		case "Cluster":
			s.crds[gk] = ScopeCluster
		case "Namespaced":
			s.crds[gk] = ScopeNamespaced
		}
	}
	return s
}

// of returns the scope of gk: from the rendering's CRDs first, then the
// built-in list; ScopeUnknown for a kind of an unknown group.
func (s scopes) of(gk schema.GroupKind) Scope {
	if sc, ok := s.crds[gk]; ok {
		return sc
	}
	if clusterScoped[gk] {
		return ScopeCluster
	}
	if builtinGroups[gk.Group] {
		return ScopeNamespaced
	}
	return ScopeUnknown
}
