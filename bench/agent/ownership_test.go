//go:build e2e

package agent_test

import (
	"encoding/json"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/tests/localcluster"
)

// TestCreateCannotRecordApplyOwnership checks why the agent does not POST
// the objects it finds absent, although a create costs the API server about
// a quarter less CPU than an apply (TestWriteCost): a create records its
// fields under an Update entry, even when the body carries the managedFields
// entry an apply would have written, so a later apply by the same manager
// would not own exactly what it declares. If this test ever fails, the API
// server started honouring managedFields on create and the cheaper create
// becomes worth revisiting.
func TestCreateCannotRecordApplyOwnership(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := t.Context()
	kube := kubernetes.NewForConfigOrDie(c.RESTConfig())
	cms := kube.CoreV1().ConfigMaps("default")
	body := func(name string) []byte {
		b, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": name}, "data": map[string]any{"key": "value"}})
		return b
	}
	force := true
	applied, err := cms.Patch(ctx, "applied", types.ApplyPatchType, body("applied"), metav1.PatchOptions{FieldManager: "gitward", Force: &force})
	if err != nil {
		t.Fatal(err)
	}
	want := applied.ManagedFields
	if len(want) != 1 || want[0].Operation != metav1.ManagedFieldsOperationApply {
		t.Fatalf("apply recorded %+v, want one Apply entry", want)
	}
	created, err := cms.Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "created", ManagedFields: want},
		Data:       map[string]string{"key": "value"},
	}, metav1.CreateOptions{FieldManager: "gitward"})
	if err != nil {
		t.Fatal(err)
	}
	got := created.ManagedFields
	t.Logf("create with the Apply entry in its body recorded: %+v", got)
	for _, e := range got {
		if e.Operation == metav1.ManagedFieldsOperationApply {
			t.Errorf("the create kept an Apply entry (%+v): creates may now record apply ownership", e)
		}
	}
}
