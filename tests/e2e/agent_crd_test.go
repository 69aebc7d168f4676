//go:build e2e

package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/provenance"
)

// TestAgentCRD shows how the agent deals with kinds that come and go while
// it runs: a CRD installed by someone else after the agent started, a CRD
// and its custom resources in one commit, a kind that is served nowhere,
// a CRD deleted out of band, and a kind that stops being served while the
// inventory still holds objects of it.
func TestAgentCRD(t *testing.T) {
	newAgentEnv(t).runCases(t, []agentCase{
		{"CRD installed out of band after start", testLateCRD},
		{"CRD and custom resource in one commit", testCRDInCommit},
		{"kind served nowhere", testKindServedNowhere},
		{"kind not served while its objects remain", testKindNotServed},
	})
}

// testLateCRD: the agent runs and has applied a first commit (its REST
// mapper has cached discovery); another team installs a CRD; a commit adds a
// custom resource of it; the running agent applies it on its next cycle.
func testLateCRD(t *testing.T, env *agentEnv) {
	const ns = "crd1"
	crd := crdDef{group: "late.example.com", kind: "Widget", plural: "widgets"}
	src := newAgentRepo(t, ns, "first", configMapFile(ns, "a", "one"))
	s := env.syncer(t, "crd1", src.httpURL(t), "app", func(o *agent.Options) { o.Interval = time.Hour })
	next := runAgent(t, s)
	if rep := next(); rep.Err != nil || rep.Applied != 2 {
		t.Fatalf("first cycle: applied %d, error %v; want 2 and none", rep.Applied, rep.Err)
	}

	env.installCRD(t, crd)
	src.writeApp(ns, configMapFile(ns, "a", "one"), appFile{"w1.yaml", crd.object(ns, "w1", "3")})
	src.push("add a widget")
	s.Trigger(agent.TriggerWebhook)
	rep := next()
	if rep.Err != nil || rep.Applied != 1 {
		t.Fatalf("cycle after the CRD: applied %d, error %v; want 1 and none", rep.Applied, rep.Err)
	}
	env.wantCustom(t, crd, ns, "w1", "3")
	wantReady(t, env.status(t, "crd1"), "True", "")
}

// testCRDInCommit: one revision adds a CRD and a custom resource of it; one
// cycle applies both (CRDs first, then, once Established, the rest). Then
// the CRD is deleted out of band (its objects go with it) and a commit drops
// both from Git: the entries are dropped, nothing fails.
func testCRDInCommit(t *testing.T, env *agentEnv) {
	const ns = "crd2"
	crd := crdDef{group: "bundled.example.com", kind: "Gadget", plural: "gadgets"}
	src := newAgentRepo(t, ns, "a CRD and one of its objects",
		appFile{"crd.yaml", crd.yaml(true)}, configMapFile(ns, "a", "one"), appFile{"g1.yaml", crd.object(ns, "g1", "5")})
	s := env.syncer(t, "crd2", src.httpURL(t), "app", nil)
	if rep := cycleOK(t, s); rep.Applied != 4 {
		t.Errorf("applied %d objects, want 4", rep.Applied)
	}
	env.wantCustom(t, crd, ns, "g1", "5")
	inv := env.inventory(t, "crd2")
	if g1 := "bundled.example.com/Gadget/" + ns + "/g1"; !slices.Contains(inv, g1) {
		t.Errorf("inventory %v lacks %s", inv, g1)
	}

	// Another team deletes the CRD; its objects are deleted with it.
	if err := env.dyn.Resource(crdResource).Delete(t.Context(), crd.name(), metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the CRD to be gone", func() bool {
		_, err := env.dyn.Resource(crdResource).Get(t.Context(), crd.name(), metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})
	src.Remove("app/crd.yaml").Remove("app/g1.yaml").
		WriteFile("app/kustomization.yaml", kustomization("ns.yaml", "a.yaml"))
	src.push("drop the gadgets")
	cycleOK(t, s)
	env.wantInventory(t, "crd2", "/ConfigMap/"+ns+"/a", "/Namespace//"+ns)
}

// testKindServedNowhere: a revision declares an object of a kind no CRD
// defines, changes one ConfigMap and removes another. The error names the
// object, its kind and its file; the change is applied; nothing is pruned;
// the status says why. Removing the object converges and prunes.
func testKindServedNowhere(t *testing.T, env *agentEnv) {
	const ns = "crd3"
	gizmo := crdDef{group: "nowhere.example.com", kind: "Gizmo", plural: "gizmos"}
	src := newAgentRepo(t, ns, "first", configMapFile(ns, "a", "one"), configMapFile(ns, "b", "bee"))
	s := env.syncer(t, "crd3", src.httpURL(t), "app", nil)
	cycleOK(t, s)

	src.Remove("app/b.yaml")
	src.writeApp(ns, configMapFile(ns, "a", "two"), appFile{"gizmo.yaml", gizmo.object(ns, "g1", "1")})
	src.push("a gizmo, a change and a removal")
	rep := cycleFails(t, s, agent.ErrApply, apply.ErrUnknownKind)
	msg := rep.Err.Error()
	for _, want := range []string{"Gizmo.nowhere.example.com " + ns + "/g1", "Kind=Gizmo", "app/gizmo.yaml"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if rep.Applied != 1 || rep.Failed != 1 || rep.Pruned != 0 {
		t.Errorf("applied %d failed %d pruned %d, want 1, 1, 0", rep.Applied, rep.Failed, rep.Pruned)
	}
	env.wantCM(t, ns, "a", "two")
	env.wantCM(t, ns, "b", "bee") // no prune in a cycle with failures
	st := env.status(t, "crd3")
	wantReady(t, st, "False", agent.ReasonApplyFailed)
	if failed := fmt.Sprint(st["failedObjects"]); !strings.Contains(failed, "app/gizmo.yaml") || !strings.Contains(failed, "Gizmo") {
		t.Errorf("status failedObjects = %s, want the gizmo and its file", failed)
	}
	if status, reason, _ := condition(st, agent.CondPruned); status != "False" || reason != agent.ReasonApplyFailed {
		t.Errorf("Pruned = %s/%s, want False/ApplyFailed", status, reason)
	}

	// Without the gizmo the revision applies and b is pruned; the gizmo's
	// entry, written ahead of the failed apply, is dropped: its kind is
	// served nowhere, so no object of it exists.
	src.Remove("app/gizmo.yaml").WriteFile("app/kustomization.yaml", kustomization("ns.yaml", "a.yaml"))
	src.push("no gizmo")
	if rep := cycleOK(t, s); rep.Pruned != 1 {
		t.Errorf("pruned %d, want b", rep.Pruned)
	}
	env.wantCM(t, ns, "b", "")
	env.wantInventory(t, "crd3", "/ConfigMap/"+ns+"/a", "/Namespace//"+ns)
}

// testKindNotServed: another team's CRD stops serving its only version while
// the agent's inventory holds an object of it, and Git drops that object.
// The object is still stored, so its entry must survive the prune; once the
// version is served again, the next cycle prunes the object.
func testKindNotServed(t *testing.T, env *agentEnv) {
	const ns = "crd4"
	crd := crdDef{group: "paused.example.com", kind: "Sprocket", plural: "sprockets"}
	env.installCRD(t, crd)
	src := newAgentRepo(t, ns, "first", appFile{"s1.yaml", crd.object(ns, "s1", "7")})
	s := env.syncer(t, "crd4", src.httpURL(t), "app", nil)
	cycleOK(t, s)
	env.wantCustom(t, crd, ns, "s1", "7")

	env.setServed(t, crd, false)
	src.Remove("app/s1.yaml").WriteFile("app/kustomization.yaml", kustomization("ns.yaml"))
	src.push("drop s1")
	if rep := cycleOK(t, s); rep.Pruned != 0 {
		t.Errorf("pruned %d objects of a kind that is not served", rep.Pruned)
	}
	entry := "paused.example.com/Sprocket/" + ns + "/s1"
	st := env.status(t, "crd4")
	if inv := env.inventory(t, "crd4"); !slices.Contains(inv, entry) {
		t.Errorf("inventory %v lost %s", inv, entry)
	}
	if pending := fmt.Sprint(st["prunePending"]); !strings.Contains(pending, inventory.ReasonKindNotServed) {
		t.Errorf("status prunePending = %s, want s1 kept with %s", pending, inventory.ReasonKindNotServed)
	}

	env.setServed(t, crd, true)
	if rep := cycleOK(t, s); rep.Pruned != 1 {
		t.Errorf("pruned %d once the kind is served again, want s1", rep.Pruned)
	}
	env.wantCustom(t, crd, ns, "s1", "")
	if inv := env.inventory(t, "crd4"); slices.Contains(inv, entry) {
		t.Errorf("inventory %v still holds %s", inv, entry)
	}
}

// crdResource is the resource of CustomResourceDefinitions.
var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// crdDef is a namespaced CRD with one version, v1, whose objects have a
// free-form spec.
type crdDef struct{ group, kind, plural string }

func (c crdDef) name() string { return c.plural + "." + c.group }

func (c crdDef) gvr() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: c.group, Version: "v1", Resource: c.plural}
}

func (c crdDef) yaml(served bool) string {
	return fmt.Sprintf(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: %s
spec:
  group: %s
  scope: Namespaced
  names:
    plural: %s
    singular: %s
    kind: %s
  versions:
  - name: v1
    served: %t
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`, c.name(), c.group, c.plural, strings.ToLower(c.kind), c.kind, served)
}

// object is a custom resource of c with spec.size.
func (c crdDef) object(ns, name, size string) string {
	return fmt.Sprintf("apiVersion: %s/v1\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n  size: %q\n",
		c.group, c.kind, name, ns, size)
}

// installCRD creates c as another team would, with its own client and
// field manager, and waits until it is Established and discovery serves it.
func (e *agentEnv) installCRD(t *testing.T, c crdDef) {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(c.yaml(true)), &u.Object); err != nil {
		t.Fatal(err)
	}
	if _, err := e.dyn.Resource(crdResource).Create(t.Context(), u, metav1.CreateOptions{FieldManager: "other-team"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "CRD "+u.GetName()+" to be Established", func() bool {
		got, err := e.dyn.Resource(crdResource).Get(t.Context(), u.GetName(), metav1.GetOptions{})
		if err != nil {
			return false
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, cond := range conds {
			if m, _ := cond.(map[string]any); m["type"] == "Established" && m["status"] == "True" {
				return true
			}
		}
		return false
	})
	e.waitServed(t, c, true)
}

// setServed turns c's only version on or off, as another team would, and
// waits until discovery agrees.
func (e *agentEnv) setServed(t *testing.T, c crdDef, served bool) {
	t.Helper()
	patch := fmt.Sprintf(`[{"op":"replace","path":"/spec/versions/0/served","value":%t}]`, served)
	if _, err := e.dyn.Resource(crdResource).Patch(t.Context(), c.name(), types.JSONPatchType, []byte(patch),
		metav1.PatchOptions{FieldManager: "other-team"}); err != nil {
		t.Fatal(err)
	}
	e.waitServed(t, c, served)
}

// waitServed waits until discovery says whether c's kind is served. The
// agent's mapper reads discovery as one aggregated document: wait until that
// document agrees.
func (e *agentEnv) waitServed(t *testing.T, c crdDef, served bool) {
	t.Helper()
	dc := discovery.NewDiscoveryClientForConfigOrDie(e.cfg)
	eventually(t, fmt.Sprintf("discovery to say %s is served: %t", c.kind, served), func() bool {
		_, lists, err := dc.ServerGroupsAndResources()
		if err != nil && len(lists) == 0 {
			return false
		}
		found := slices.ContainsFunc(lists, func(l *metav1.APIResourceList) bool {
			return l.GroupVersion == c.group+"/v1" &&
				slices.ContainsFunc(l.APIResources, func(r metav1.APIResource) bool { return r.Kind == c.kind })
		})
		return found == served
	})
}

// wantCustom fails unless the custom resource ns/name of c has spec.size
// size and the source label (size "": it must not exist).
func (e *agentEnv) wantCustom(t *testing.T, c crdDef, ns, name, size string) {
	t.Helper()
	u, err := e.dyn.Resource(c.gvr()).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	switch {
	case size == "" && apierrors.IsNotFound(err):
		return
	case size == "" && err == nil:
		t.Errorf("%s %s/%s exists, want it gone", c.kind, ns, name)
		return
	case err != nil:
		t.Errorf("%s %s/%s: %v", c.kind, ns, name, err)
		return
	}
	if got, _, _ := unstructured.NestedString(u.Object, "spec", "size"); got != size {
		t.Errorf("%s %s/%s spec.size = %q, want %q", c.kind, ns, name, got, size)
	}
	if src := u.GetLabels()[provenance.LabelSource]; src == "" {
		t.Errorf("%s %s/%s has no source label", c.kind, ns, name)
	}
}
