package admit

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/provenance"
)

var (
	nsGVK = schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}
	nsGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

// handMade is Git's Deployment as `kubectl create` left it before gitward
// arrived: no contract keys, every field owned by the creator (defaults
// included).
func handMade(git map[string]any) *unstructured.Unstructured {
	u := live(git, c3)
	unstructured.RemoveNestedField(u.Object, "metadata", "labels", provenance.LabelSource)
	unstructured.RemoveNestedField(u.Object, "metadata", "annotations")
	unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
	ownChanges(nil, u.Object, "kubectl-create")
	return u
}

// stamped is old with the contract keys of commit c added, as a write that
// leaves every other field as it is stores it.
func stamped(old *unstructured.Unstructured, c provenance.CommitID, manager string) *unstructured.Unstructured {
	u := old.DeepCopy()
	u.SetLabels(merge(u.GetLabels(), map[string]string{provenance.LabelSource: "production"}))
	u.SetAnnotations(merge(u.GetAnnotations(), map[string]string{provenance.AnnotationCommit: string(c)}))
	ownChanges(old.Object, u.Object, manager)
	return u
}

// namespace is Namespace shop as Git declares it.
func namespace() map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "shop"}}
}

// createdNamespace is `kubectl create namespace shop`: the API server's
// kubernetes.io/metadata.name label, spec.finalizers and status.
func createdNamespace() *unstructured.Unstructured {
	u := obj(namespace())
	u.SetLabels(map[string]string{"kubernetes.io/metadata.name": "shop"})
	u.SetResourceVersion("11")
	_ = unstructured.SetNestedStringSlice(u.Object, []string{"kubernetes"}, "spec", "finalizers")
	_ = unstructured.SetNestedField(u.Object, "Active", "status", "phase")
	ownChanges(nil, u.Object, "kubectl-create")
	return u
}

func nsUpdate(who UserInfo, old, new *unstructured.Unstructured, manager string) *Request {
	return &Request{Operation: Update, Kind: nsGVK, Resource: nsGVR, Namespace: "shop", Name: "shop",
		User: who, Object: new, OldObject: old, FieldManager: manager}
}

// TestAdoption: the agent takes over objects made before gitward (by hand,
// kubectl or Helm) by applying Git's object; nobody else may stamp the
// contract onto an object, which would have Git vouch for content it never
// declared.
func TestAdoption(t *testing.T) {
	smuggled := func() *unstructured.Unstructured {
		u := handMade(hardened())
		setContainer(u, func(c map[string]any) { c["securityContext"] = map[string]any{"privileged": true} })
		return u
	}
	withSidecar := func() *unstructured.Unstructured {
		u := handMade(hardened())
		cs, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
		cs = append(cs, map[string]any{"name": "miner", "image": "evil.example/miner:1"})
		_ = unstructured.SetNestedSlice(u.Object, cs, "spec", "template", "spec", "containers")
		return u
	}
	tests := []struct {
		name     string
		req      func() *Request
		allowed  bool
		reason   Reason
		contains []string
	}{
		{name: "the agent adopts Namespace shop made by kubectl create namespace (issue 15)", allowed: true,
			req: func() *Request {
				old := createdNamespace()
				new := stamped(old, c3, provenance.FieldManager)
				new.SetAnnotations(merge(new.GetAnnotations(), map[string]string{provenance.AnnotationDigest: "sha256:" + strings.Repeat("a", 64)}))
				return nsUpdate(agent, old, new, provenance.FieldManager)
			}},
		{name: "the agent adopts a Deployment made by hand", allowed: true, req: func() *Request {
			old := handMade(hardened())
			r := update(agent, old, stamped(old, c3, provenance.FieldManager))
			r.FieldManager = provenance.FieldManager
			return r
		}},
		{name: "a dry run of the agent's adoption (kubectl gitops diff)", allowed: true, req: func() *Request {
			old := handMade(hardened())
			r := update(person, old, stamped(old, c3, "kubectl"))
			r.DryRun = true
			return r
		}},
		{name: "a person stamps the contract onto Namespace shop", reason: ReasonAdoption,
			contains: []string{"metadata.labels[gitward.dev/source] — this request adds the source label", "only the gitward agent adopts"},
			req: func() *Request {
				old := createdNamespace()
				return nsUpdate(person, old, stamped(old, c3, "kubectl-label"), "kubectl-label")
			}},
		{name: "a person stamps a hand-made Deployment holding a privileged container", reason: ReasonAdoption,
			req: func() *Request {
				old := smuggled()
				r := update(person, old, stamped(old, c3, "kubectl-annotate"))
				r.FieldManager = "kubectl-annotate"
				return r
			}},
		{name: "a person stamps a hand-made Deployment with a sidecar Git does not declare", reason: ReasonAdoption,
			req: func() *Request {
				old := withSidecar()
				return update(person, old, stamped(old, c3, "kubectl-edit"))
			}},
		{name: "a person stamps it naming the agent's field manager", reason: ReasonAgentManager, req: func() *Request {
			old := withSidecar()
			r := update(person, old, stamped(old, c3, provenance.FieldManager))
			r.FieldManager = provenance.FieldManager
			return r
		}},
		{name: "the agent's identity stamps it with another field manager", reason: ReasonAdoption, req: func() *Request {
			old := withSidecar()
			r := update(agent, old, stamped(old, c3, "kubectl-label"))
			r.FieldManager = "kubectl-label"
			return r
		}},
		{name: "the agent's adoption must carry Git's values", reason: ReasonDiffers, req: func() *Request {
			old := handMade(hardened())
			new := stamped(old, c3, provenance.FieldManager)
			_ = unstructured.SetNestedField(new.Object, int64(9), "spec", "replicas")
			r := update(agent, old, new)
			r.FieldManager = provenance.FieldManager
			return r
		}},
		{name: "the agent's adoption at a commit off the branch", reason: ReasonNotOnBranch, req: func() *Request {
			old := handMade(hardened())
			r := update(agent, old, stamped(old, offTrunk, provenance.FieldManager))
			r.FieldManager = provenance.FieldManager
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFakeSource().at(c3, hardened(), namespace())
			got := decider(src, nil).Decide(context.Background(), tt.req())
			if tt.allowed {
				if !got.Allowed || got.Action != ActionAllowed {
					t.Fatalf("got %s (%s): %s", got.Action, got.Reason, got.Message)
				}
				return
			}
			if got.Allowed || got.Reason != tt.reason {
				t.Fatalf("got allowed=%v reason=%s, want denied for %s\nmessage: %s", got.Allowed, got.Reason, tt.reason, got.Message)
			}
			for _, s := range tt.contains {
				if !strings.Contains(got.Message, s) {
					t.Errorf("message %q does not contain %q", got.Message, s)
				}
			}
		})
	}
}
