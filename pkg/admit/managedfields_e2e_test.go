//go:build e2e

package admit

import (
	"encoding/json"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

// TestManagedFieldsDifferential decides requests as the real API server
// stores them: each write is a dry run, whose answer is the object
// validating admission sees, managedFields included. A person's writes,
// through every patch type and with forged or reset managedFields, must be
// denied; the agent's apply of the next commit, which the API server fills
// with defaults nobody owns, must be admitted.
func TestManagedFieldsDifferential(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := t.Context()
	dyn := dynamic.NewForConfigOrDie(c.RESTConfig())
	deploys := dyn.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace("default")
	git := func(image string, sidecar bool) map[string]any {
		var m map[string]any
		extra := ""
		if sidecar {
			extra = "      - {name: sidecar, image: busybox, ports: [{containerPort: 9090}]}\n"
		}
		if err := yaml.Unmarshal([]byte(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      automountServiceAccountToken: false
      containers:
      - name: web
        image: `+image+`
        securityContext: {}
        ports: [{containerPort: 80}]
`+extra), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	stamped := func(g map[string]any, c provenance.CommitID) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: runtimeCopy(g)}
		if err := provenance.Stamp(u, "production", c); err != nil {
			t.Fatal(err)
		}
		return u
	}
	g2, g3 := git("nginx:1.24", false), git("nginx:1.25", true)
	if _, err := deploys.Apply(ctx, "web", stamped(g2, c2), metav1.ApplyOptions{FieldManager: provenance.FieldManager, Force: true}); err != nil {
		t.Fatal(err)
	}
	src := newFakeSource().at(c2, g2).at(c3, g3)
	src.digest = "-" // not checked here: the fake does not compute digests
	d := decider(src, nil)
	// The deployment controller annotates the Deployment once; every dry run
	// starts from the object after that.
	var live *unstructured.Unstructured
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		if live, err = deploys.Get(ctx, "web", metav1.GetOptions{}); err != nil {
			t.Fatal(err)
		}
		if live.GetAnnotations()["deployment.kubernetes.io/revision"] != "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	decide := func(user UserInfo, fm string, got *unstructured.Unstructured) Decision {
		live := live.DeepCopy()
		unstructured.RemoveNestedField(got.Object, "metadata", "annotations", provenance.AnnotationDigest)
		unstructured.RemoveNestedField(live.Object, "metadata", "annotations", provenance.AnnotationDigest)
		req := update(user, live, got)
		req.Namespace, req.FieldManager = "default", fm
		return d.Decide(ctx, req)
	}

	next, err := deploys.Apply(ctx, "web", stamped(g3, c3), metav1.ApplyOptions{FieldManager: provenance.FieldManager,
		Force: true, DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		t.Fatal(err)
	}
	if dec := decide(agent, provenance.FieldManager, next); !dec.Allowed {
		t.Errorf("the agent's apply of the next commit: %s", dec.Message)
	}

	reset := `{"metadata":{"managedFields":[{}]}}`
	forged, _ := json.Marshal(map[string]any{"metadata": map[string]any{"managedFields": []any{map[string]any{
		"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1", "fieldsType": "FieldsV1",
		"fieldsV1": map[string]any{"f:spec": map[string]any{"f:paused": map[string]any{}}}}}},
		"spec": map[string]any{"paused": true}})
	writes := []struct {
		name  string
		typ   types.PatchType
		patch string
	}{
		{"merge patch filling securityContext", types.MergePatchType,
			`{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.24","securityContext":{"privileged":true,"runAsUser":0},"ports":[{"containerPort":80}]}]}}}}`},
		{"strategic patch filling securityContext", types.StrategicMergePatchType,
			`{"spec":{"template":{"spec":{"containers":[{"name":"web","securityContext":{"privileged":true}}]}}}}`},
		{"strategic patch adding a container", types.StrategicMergePatchType,
			`{"spec":{"template":{"spec":{"containers":[{"name":"miner","image":"evil"}]}}}}`},
		{"strategic patch adding a defaulted field's twin", types.StrategicMergePatchType,
			`{"spec":{"template":{"spec":{"containers":[{"name":"web","imagePullPolicy":"Always"}]}}}}`},
		{"JSON patch adding a label", types.JSONPatchType, `[{"op":"add","path":"/metadata/labels/x","value":"y"}]`},
		{"JSON patch removing a zero value", types.JSONPatchType, `[{"op":"remove","path":"/spec/template/spec/automountServiceAccountToken"}]`},
		{"merge patch with forged managedFields", types.MergePatchType, string(forged)},
		{"merge patch resetting managedFields", types.MergePatchType, reset},
		{"merge patch resetting managedFields and pausing", types.MergePatchType, `{"metadata":{"managedFields":[{}]},"spec":{"paused":true}}`},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			got, err := deploys.Patch(ctx, "web", w.typ, []byte(w.patch),
				metav1.PatchOptions{FieldManager: "mallory", DryRun: []string{metav1.DryRunAll}})
			if err != nil {
				t.Fatal(err)
			}
			if dec := decide(person, "mallory", got); dec.Allowed {
				t.Errorf("admitted: %s", dec.Message)
			} else {
				t.Logf("denied: %s", dec.Message)
			}
		})
	}
	t.Run("a person's server-side apply adding a field", func(t *testing.T) {
		g := stamped(g2, c2)
		unstructured.SetNestedField(g.Object, true, "spec", "paused")
		got, err := deploys.Apply(ctx, "web", g, metav1.ApplyOptions{FieldManager: "mallory", Force: true,
			DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			t.Fatal(err)
		}
		if dec := decide(person, "mallory", got); dec.Allowed {
			t.Errorf("admitted: %s", dec.Message)
		}
	})
}

// runtimeCopy deep-copies a JSON map.
func runtimeCopy(m map[string]any) map[string]any {
	return (&unstructured.Unstructured{Object: m}).DeepCopy().Object
}
