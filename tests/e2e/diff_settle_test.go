//go:build e2e

package e2e

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/gitward/gitward/tests/localcluster"
)

// waitDeploymentsSettled waits until the deployment controller has finished
// its first pass over every Deployment in namespace (revision annotation set,
// status observed). Until then the controller writes to them while a diff
// runs, and kubectl diff reports that write as a difference of its own.
func waitDeploymentsSettled(t *testing.T, c *localcluster.Cluster, namespace string) {
	t.Helper()
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatalf("dynamic client: %v", err)
	}
	gvr := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		list, err := dyn.Resource(gvr).Namespace(namespace).List(t.Context(), metav1.ListOptions{})
		if err != nil {
			t.Fatalf("list deployments in %s: %v", namespace, err)
		}
		pending := 0
		for i := range list.Items {
			if !deploymentSettled(&list.Items[i]) {
				pending++
			}
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deployments in %s not yet seen by the deployment controller", pending, len(list.Items), namespace)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func deploymentSettled(u *unstructured.Unstructured) bool {
	if _, ok := u.GetAnnotations()["deployment.kubernetes.io/revision"]; !ok {
		return false
	}
	observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	return observed >= u.GetGeneration()
}
