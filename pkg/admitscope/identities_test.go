package admitscope

import (
	"regexp"
	"slices"
	"testing"
)

// TestControllerServiceAccounts pins the list taken from the bootstrap
// policy of Kubernetes 1.36 (see controllerServiceAccounts): sorted, without
// duplicates, and holding the controllers whose traffic gitward's own tests
// rely on.
func TestControllerServiceAccounts(t *testing.T) {
	sas := ControllerServiceAccounts()
	if !slices.IsSorted(sas) || len(slices.Compact(slices.Clone(sas))) != len(sas) {
		t.Errorf("not sorted or duplicated: %v", sas)
	}
	for _, want := range []string{
		"deployment-controller", "replicaset-controller", "job-controller", "cronjob-controller",
		"daemon-set-controller", "statefulset-controller", "generic-garbage-collector", "namespace-controller",
		"root-ca-cert-publisher", "persistent-volume-binder", "endpoint-controller", "endpointslice-controller",
		"endpointslicemirroring-controller", "horizontal-pod-autoscaler", "disruption-controller",
		"service-account-controller", "ttl-after-finished-controller", "pod-garbage-collector",
		"resourcequota-controller", "replication-controller", "node-controller", "pvc-protection-controller",
		"pv-protection-controller", "ephemeral-volume-controller", "attachdetach-controller", "expand-controller",
		"certificate-controller", "clusterrole-aggregation-controller", "legacy-service-account-token-cleaner",
		"validatingadmissionpolicy-status-controller", "service-cidrs-controller",
	} {
		if !slices.Contains(sas, want) {
			t.Errorf("%s is not exempt", want)
		}
	}
	if len(sas) != 46 {
		t.Errorf("%d controller ServiceAccounts, want the 46 of Kubernetes 1.36's bootstrap policy: "+
			"update this test with the list when Kubernetes changes it", len(sas))
	}
}

func TestExemptUsersAreExactNames(t *testing.T) {
	users := ExemptUsers()
	for _, want := range []string{KubeControllerManager, KubeScheduler, APIServer,
		"system:serviceaccount:kube-system:root-ca-cert-publisher",
		"system:serviceaccount:kube-system:persistent-volume-binder"} {
		if !slices.Contains(users, want) {
			t.Errorf("%s is not exempt", want)
		}
	}
	if !slices.Equal(ExemptGroups(), []string{NodesGroup}) {
		t.Errorf("groups %v, want only %s", ExemptGroups(), NodesGroup)
	}
	if !IsExempt("system:node:worker-1", []string{"system:authenticated", NodesGroup}) {
		t.Error("a kubelet (by its group) is not exempt")
	}
}

// TestNamesAreCELSafe: the names are written into CEL string literals
// unescaped, and into path.Match-free comparisons; none may hold a quote,
// a backslash or a pattern character.
func TestNamesAreCELSafe(t *testing.T) {
	safe := regexp.MustCompile(`^[a-z0-9][a-z0-9:.-]*$`)
	var names []string
	names = append(names, ExemptUsers()...)
	names = append(names, ExemptGroups()...)
	names = append(names, neverSentKeys()...)
	for _, n := range names {
		if n == "serviceaccounts/token" {
			continue
		}
		if !safe.MatchString(n) {
			t.Errorf("%q is not a plain name", n)
		}
	}
}
