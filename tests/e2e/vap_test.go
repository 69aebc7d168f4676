//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
	"github.com/gitward/gitward/tests/localcluster"
)

// TestValidatingAdmissionPolicyFloor applies manifests/vap, the floor for
// clusters that want no webhook, to a real API server: a managed object
// without a well-formed commit annotation is refused with the policy's
// message; a well-formed one, unmanaged objects and the system namespaces
// pass. It also pins down why it is only a floor: an edit that keeps the
// annotation passes (the webhook is what checks content).
func TestValidatingAdmissionPolicyFloor(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := t.Context()
	kube := kubernetes.NewForConfigOrDie(c.RESTConfig())
	dyn := dynamicFor(t, c)

	res, err := render.Dir(ctx, "../..", "manifests/vap", render.Options{SkipYAML: true})
	if err != nil {
		t.Fatal(err)
	}
	resources := map[string]string{"ValidatingAdmissionPolicy": "validatingadmissionpolicies",
		"ValidatingAdmissionPolicyBinding": "validatingadmissionpolicybindings"}
	for _, u := range res.Objects {
		gvr := schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: resources[u.GetKind()]}
		body, _ := json.Marshal(u.Object)
		if _, err := dyn.Resource(gvr).Patch(ctx, u.GetName(), types.ApplyPatchType, body,
			metav1.PatchOptions{FieldManager: "test"}); err != nil {
			t.Fatalf("apply %s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	const commit = "3f2a9c1e0b7d4a5f6c8e9d0a1b2c3d4e5f607182"
	cm := func(ns, name string, labelled bool, annotation string) *corev1.ConfigMap {
		o := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: map[string]string{"k": "v"}}
		if labelled {
			o.Labels = map[string]string{provenance.LabelSource: "production"}
		}
		if annotation != "" {
			o.Annotations = map[string]string{provenance.AnnotationCommit: annotation}
		}
		return o
	}
	create := func(o *corev1.ConfigMap) error {
		_, err := kube.CoreV1().ConfigMaps(o.Namespace).Create(ctx, o, metav1.CreateOptions{})
		return err
	}

	// The policy takes effect asynchronously once compiled and bound.
	var refusal error
	eventually(t, "the policy refuses a managed object without a commit annotation", func() bool {
		refusal = create(cm("shop", "no-commit", true, ""))
		if refusal == nil {
			_ = kube.CoreV1().ConfigMaps("shop").Delete(context.Background(), "no-commit", metav1.DeleteOptions{})
		}
		return refusal != nil
	})
	for _, want := range []string{"configmap/no-commit", "gitward.dev/commit", "Change it through Git"} {
		if !strings.Contains(refusal.Error(), want) {
			t.Errorf("refusal %q lacks %q", refusal, want)
		}
	}
	if err := create(cm("shop", "short-commit", true, "3f2a9c1")); err == nil {
		t.Error("a short commit id was admitted")
	}
	if err := create(cm("shop", "managed", true, commit)); err != nil {
		t.Errorf("a managed object with a full commit id: %v", err)
	}
	if err := create(cm("shop", "unmanaged", false, "")); err != nil {
		t.Errorf("an object without the source label: %v", err)
	}
	if err := create(cm("kube-system", "system", true, "")); err != nil {
		t.Errorf("kube-system is outside the binding: %v", err)
	}

	// Only a floor: an edit that keeps the annotation is not this policy's
	// to refuse; removing the annotation is.
	live, err := kube.CoreV1().ConfigMaps("shop").Get(ctx, "managed", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	live.Data["k"] = "edited by hand"
	if _, err := kube.CoreV1().ConfigMaps("shop").Update(ctx, live, metav1.UpdateOptions{}); err != nil {
		t.Errorf("an edit keeping the annotation: %v (the policy checks presence and format only)", err)
	}
	live, err = kube.CoreV1().ConfigMaps("shop").Get(ctx, "managed", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	delete(live.Annotations, provenance.AnnotationCommit)
	if _, err := kube.CoreV1().ConfigMaps("shop").Update(ctx, live, metav1.UpdateOptions{}); err == nil {
		t.Error("removing the commit annotation of a managed object was admitted")
	}
}
