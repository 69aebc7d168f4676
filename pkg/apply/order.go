package apply

import (
	"cmp"
	"slices"
)

// kindOrder is the order in which a phase starts its applies, the order
// Helm installs in: what workloads refer to (accounts, Secrets, ConfigMaps,
// claims, RBAC, Services) before the workloads, so that on a cold start a
// Pod does not start before its ConfigMap exists, and the controllers'
// reaction to new workloads (ReplicaSets, Pods) comes after the objects it
// needs. Kinds not listed go last, in their order of appearance.
var kindOrder = map[string]int{
	"Namespace": 0, "NetworkPolicy": 1, "ResourceQuota": 2, "LimitRange": 3,
	"ServiceAccount": 4, "Secret": 5, "SealedSecret": 5, "ConfigMap": 6,
	"StorageClass": 7, "PersistentVolume": 8, "PersistentVolumeClaim": 9,
	"CustomResourceDefinition": 10, "ClusterRole": 11, "ClusterRoleBinding": 12,
	"Role": 13, "RoleBinding": 14, "Service": 15, "DaemonSet": 16, "Pod": 17,
	"ReplicaSet": 18, "Deployment": 19, "HorizontalPodAutoscaler": 20,
	"StatefulSet": 21, "Job": 22, "CronJob": 23, "PodDisruptionBudget": 24,
	"IngressClass": 25, "Ingress": 26, "APIService": 27,
}

// byKindOrder sorts items by kindOrder, keeping their order within a kind.
// The applies of a phase still run concurrently; the order is the order in
// which they start.
func byKindOrder(items []*item) {
	rank := func(it *item) int {
		if r, ok := kindOrder[it.gvk.Kind]; ok {
			return r
		}
		return len(kindOrder)
	}
	slices.SortStableFunc(items, func(x, y *item) int { return cmp.Compare(rank(x), rank(y)) })
}
