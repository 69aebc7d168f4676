package admitscope

import "slices"

// Identities of the control plane that gitward never checks. Their writes
// are how Kubernetes carries out what Git declared (a Deployment's
// ReplicaSets and Pods, garbage collection, namespace deletion, scheduling,
// pod status), so blocking them would break the cluster, not protect it.
const (
	// KubeControllerManager is kube-controller-manager's own identity:
	// every controller uses it unless --use-service-account-credentials
	// gives each one its ServiceAccount in kube-system.
	KubeControllerManager = "system:kube-controller-manager"
	// KubeScheduler binds Pods to nodes (pods/binding).
	KubeScheduler = "system:kube-scheduler"
	// APIServer is kube-apiserver's loopback identity; it maintains the
	// default/kubernetes Service and its EndpointSlice, which a labelled
	// default namespace would otherwise put in scope. Its credential exists
	// only in the API server's memory.
	APIServer = "system:apiserver"
	// NodesGroup holds every kubelet (system:node:<name>). Matching the
	// group rather than a "system:node:*" pattern is exact: the node
	// authorizer and NodeRestriction only grant a node's rights to a user
	// in this group, so a user merely named system:node:x gains nothing
	// (and is not exempt).
	NodesGroup = "system:nodes"
	// SystemNamespace is where kube-controller-manager's ServiceAccounts live.
	SystemNamespace = "kube-system"
	// serviceAccountPrefix starts the username of a ServiceAccount token
	// (k8s.io/apiserver/pkg/authentication/serviceaccount, not imported for
	// one string: pkg/admit, and so the webhook, links this package).
	serviceAccountPrefix = "system:serviceaccount:"
)

// controllerServiceAccounts are the ServiceAccounts in kube-system whose
// credentials kube-controller-manager (and, for route-controller and
// service-controller, a cloud-controller-manager) uses with
// --use-service-account-credentials, as the bootstrap RBAC policy of
// Kubernetes 1.36 names them:
//
//   - k8s.io/kubernetes v1.36.3
//     plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go,
//     buildControllerRoles: every addControllerRole("system:controller:<sa>")
//     binds ClusterRole system:controller:<sa> to ServiceAccount
//     kube-system/<sa> (feature-gated roles included: the name is reserved
//     whether or not the gate is on);
//   - namespace_policy.go: bootstrap-signer and token-cleaner, bound by Roles
//     in kube-system and kube-public;
//   - cross-checked against the names cmd/kube-controller-manager/app passes
//     to ControllerContext.NewClient / NewClientConfig (the ServiceAccount
//     each controller runs as). The names in cmd/kube-controller-manager/names
//     are controller names for --controllers, not ServiceAccount names
//     (e.g. "daemonset-controller" runs as "daemon-set-controller").
//
// Update the list when Kubernetes adds a controller (TestControllerServiceAccounts
// pins it, so a change is deliberate).
var controllerServiceAccounts = []string{
	"attachdetach-controller",
	"bootstrap-signer",
	"certificate-controller",
	"clusterrole-aggregation-controller",
	"cronjob-controller",
	"daemon-set-controller",
	"deployment-controller",
	"device-taint-eviction-controller",
	"disruption-controller",
	"endpoint-controller",
	"endpointslice-controller",
	"endpointslicemirroring-controller",
	"ephemeral-volume-controller",
	"expand-controller",
	"generic-garbage-collector",
	"horizontal-pod-autoscaler",
	"job-controller",
	"kube-apiserver-serving-clustertrustbundle-publisher",
	"legacy-service-account-token-cleaner",
	"namespace-controller",
	"node-controller",
	"persistent-volume-binder",
	"pod-garbage-collector",
	"podcertificaterequestcleaner",
	"podgroup-protection-controller",
	"pv-protection-controller",
	"pvc-protection-controller",
	"replicaset-controller",
	"replication-controller",
	"resource-claim-controller",
	"resourcepoolstatusrequest-controller",
	"resourcequota-controller",
	"root-ca-cert-publisher",
	"route-controller",
	"selinux-warning-controller",
	"service-account-controller",
	"service-cidrs-controller",
	"service-controller",
	"statefulset-controller",
	"storage-version-garbage-collector",
	"storage-version-migrator-controller",
	"token-cleaner",
	"ttl-after-finished-controller",
	"ttl-controller",
	"validatingadmissionpolicy-status-controller",
	"volumeattributesclass-protection-controller",
}

// ControllerServiceAccounts returns the names (in kube-system) of the
// controller ServiceAccounts that are exempt, sorted.
func ControllerServiceAccounts() []string { return slices.Clone(controllerServiceAccounts) }

// Identity is an exempt user or group and why it is exempt.
type Identity struct {
	Name string
	Why  string
}

// components are the exempt control-plane users other than the controller
// ServiceAccounts.
var components = []Identity{
	{APIServer, "kube-apiserver itself (loopback): the default/kubernetes Service and its EndpointSlice, " +
		"CRD status; its credential exists only in the API server's memory"},
	{KubeControllerManager, "kube-controller-manager without per-controller credentials: ReplicaSets and Pods " +
		"of a Deployment, garbage collection, namespace deletion"},
	{KubeScheduler, "binds Pods to nodes (`pods/binding`)"},
}

// exemptGroups are the exempt groups.
var exemptGroups = []Identity{
	{NodesGroup, "the kubelets (`system:node:<name>`): Pod status, mirror Pods; the node authorizer and " +
		"NodeRestriction grant a node's rights only to members of this group"},
}

// Components returns the exempt control-plane users other than the
// controller ServiceAccounts, with why each is exempt.
func Components() []Identity { return slices.Clone(components) }

// Groups returns the exempt groups, with why each is exempt.
func Groups() []Identity { return slices.Clone(exemptGroups) }

// ControllerServiceAccountUser is the username of the controller
// ServiceAccount sa in kube-system.
func ControllerServiceAccountUser(sa string) string {
	return serviceAccountPrefix + SystemNamespace + ":" + sa
}

// ExemptUsers returns every exempt username, exact and sorted: the
// control-plane components and system:serviceaccount:kube-system:<sa> for
// each of ControllerServiceAccounts.
func ExemptUsers() []string {
	var users []string
	for _, c := range components {
		users = append(users, c.Name)
	}
	for _, sa := range controllerServiceAccounts {
		users = append(users, ControllerServiceAccountUser(sa))
	}
	slices.Sort(users)
	return users
}

// ExemptGroups returns every exempt group name.
func ExemptGroups() []string {
	var groups []string
	for _, g := range exemptGroups {
		groups = append(groups, g.Name)
	}
	return groups
}

// IsExempt reports whether a request by username, a member of groups, is
// exempt: an exact match of the name or of one group.
func IsExempt(username string, groups []string) bool {
	if slices.Contains(ExemptUsers(), username) {
		return true
	}
	for _, g := range groups {
		if slices.Contains(ExemptGroups(), g) {
			return true
		}
	}
	return false
}
