package admit

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/provenance"
)

// hardened is Git's Deployment with the values an attacker wants gone: a
// container securityContext declared empty, allowPrivilegeEscalation false,
// automountServiceAccountToken false.
func hardened() map[string]any {
	g := deployment(3, "nginx:1.25")
	spec := g["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	spec["automountServiceAccountToken"] = false
	c := spec["containers"].([]any)[0].(map[string]any)
	c["securityContext"] = map[string]any{}
	c["allowPrivilegeEscalation"] = false
	return g
}

// setContainer replaces the first container of u after fn changed a copy.
func setContainer(u *unstructured.Unstructured, fn func(c map[string]any)) {
	cs, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
	fn(cs[0].(map[string]any))
	_ = unstructured.SetNestedSlice(u.Object, cs, "spec", "template", "spec", "containers")
}

func decider(src *fakeSource, fn func(*Decider)) *Decider {
	d := &Decider{Sources: map[string]Source{"production": src}, Namespaces: StaticNamespaces{"shop": "production"},
		BreakGlassGroups: []string{"gitward:break-glass"}, Exempt: DefaultExemptions()}
	if fn != nil {
		fn(d)
	}
	if err := d.Validate(); err != nil {
		panic(err)
	}
	return d
}

// TestAttacks is each class of request of issue 11 that slipped past the
// rules, decided by the rules alone (tests/e2e TestAdmissionAttack* sends
// them through a real API server).
func TestAttacks(t *testing.T) {
	liveH := live(hardened(), c3)
	cm := configMap("flags", map[string]any{})
	liveCM := live(cm, c3)
	delete(liveCM.Object, "data") // the API server drops the empty map
	tests := []struct {
		name     string
		req      func() *Request
		decider  func(*Decider)
		source   func(*fakeSource)
		reason   Reason
		contains []string
	}{
		{name: "1 fill a container securityContext Git declares empty", req: func() *Request {
			return update(person, liveH, edit(liveH, func(u *unstructured.Unstructured) {
				setContainer(u, func(c map[string]any) {
					c["securityContext"] = map[string]any{"privileged": true, "runAsUser": int64(0)}
				})
			}))
		}, reason: ReasonUndeclared, contains: []string{
			"spec.template.spec.containers[0].securityContext.privileged — Git does not declare it, this request sets it to true"}},
		{name: "1 fill a ConfigMap's data Git declares empty", req: func() *Request {
			r := update(person, liveCM, edit(liveCM, func(u *unstructured.Unstructured) {
				u.Object["data"] = map[string]any{"ADMIN_MODE": "true"}
			}))
			r.Kind, r.Resource, r.Name = cmGVK, cmGVR, "flags"
			return r
		}, source: func(f *fakeSource) {
			f.at(c3, hardened(), map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
				"metadata": map[string]any{"name": "flags", "namespace": "shop"}})
		},
			reason: ReasonUndeclared, contains: []string{"data[ADMIN_MODE] — Git does not declare it"}},
		{name: "2 remove allowPrivilegeEscalation: false", req: func() *Request {
			return update(person, liveH, edit(liveH, func(u *unstructured.Unstructured) {
				setContainer(u, func(c map[string]any) { delete(c, "allowPrivilegeEscalation") })
			}))
		}, reason: ReasonDiffers, contains: []string{"allowPrivilegeEscalation — Git says false, this request leaves it out"}},
		{name: "2 remove automountServiceAccountToken: false", req: func() *Request {
			return update(person, liveH, edit(liveH, func(u *unstructured.Unstructured) {
				unstructured.RemoveNestedField(u.Object, "spec", "template", "spec", "automountServiceAccountToken")
			}))
		}, reason: ReasonDiffers, contains: []string{"automountServiceAccountToken — Git says false"}},
		{name: "3 an unknown source label on create", req: func() *Request {
			u := obj(configMap("x", map[string]any{"k": "v"}))
			u.SetLabels(map[string]string{provenance.LabelSource: "nope"})
			return &Request{Operation: Create, Kind: cmGVK, Resource: cmGVR, Namespace: "shop", Name: "x", User: person, Object: u}
		}, reason: ReasonUnknownSource, contains: []string{`names source "nope"`}},
		{name: "3 an unknown source label on delete", req: func() *Request {
			u := obj(configMap("x", map[string]any{"k": "v"}))
			u.SetLabels(map[string]string{provenance.LabelSource: "nope"})
			return &Request{Operation: Delete, Kind: cmGVK, Resource: cmGVR, Namespace: "elsewhere", Name: "x", User: person, OldObject: u}
		}, reason: ReasonUnknownSource},
		{name: "4 a self-claimed controller owner", req: func() *Request {
			u := obj(configMap("x", map[string]any{"k": "v"}))
			u.SetOwnerReferences(nil)
			u.Object["metadata"].(map[string]any)["ownerReferences"] = []any{map[string]any{"apiVersion": "v1",
				"kind": "ConfigMap", "name": "kube-root-ca.crt", "uid": "u", "controller": true}}
			return &Request{Operation: Create, Kind: cmGVK, Resource: cmGVR, Namespace: "shop", Name: "x", User: person, Object: u}
		}, reason: ReasonNotDeclared},
		{name: "4 a person edits an object a controller owns", req: func() *Request {
			rs := obj(map[string]any{"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": map[string]any{
				"name": "web-1", "namespace": "shop", "ownerReferences": []any{map[string]any{
					"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u", "controller": true}}},
				"spec": map[string]any{"replicas": int64(1)}})
			return &Request{Operation: Update, Kind: rs.GroupVersionKind(), Namespace: "shop", Name: "web-1", User: person,
				OldObject: rs, Object: edit(rs, func(u *unstructured.Unstructured) { u.Object["spec"] = map[string]any{"replicas": int64(9)} })}
		}, reason: ReasonNotDeclared, contains: []string{"Git does not declare replicaset/web-1 at the head"}},
		{name: "5 a bare Pod in a managed namespace", req: func() *Request {
			p := obj(map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "sneaky",
				"namespace": "shop", "labels": map[string]any{"app": "web"}}})
			return &Request{Operation: Create, Kind: schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, Namespace: "shop",
				Name: "sneaky", User: person, Object: p}
		}, reason: ReasonNotDeclared},
		{name: "6 the commit annotation rewritten through /status", req: func() *Request {
			r := update(person, liveH, edit(liveH, func(u *unstructured.Unstructured) { setCommit(u, c2) }))
			r.SubResource = "status"
			return r
		}, source: func(f *fakeSource) { f.at(c2, hardened()) }, reason: ReasonOlderCommit},
		{name: "6 an owner added through /status", req: func() *Request {
			r := update(person, liveH, edit(liveH, func(u *unstructured.Unstructured) {
				u.Object["metadata"].(map[string]any)["ownerReferences"] = []any{map[string]any{"apiVersion": "v1",
					"kind": "ConfigMap", "name": "kube-root-ca.crt", "uid": "u", "controller": true}}
			}))
			r.SubResource = "status"
			return r
		}, reason: ReasonUndeclared, contains: []string{"metadata.ownerReferences[0].kind — Git does not declare it"}},
		{name: "7 a live commit the branch does not have", req: func() *Request {
			old := live(hardened(), offTrunk)
			return update(person, old, edit(old, func(u *unstructured.Unstructured) { setCommit(u, c3) }))
		}, reason: ReasonOlderCommit, contains: []string{"does not descend from the live object's commit bad0bad"}},
		{name: "9 a person applies with the agent's field manager", req: func() *Request {
			r := update(person, liveH, live(hardened(), c3))
			r.FieldManager = provenance.FieldManager
			return r
		}, reason: ReasonAgentManager, contains: []string{`field manager "gitward" is the gitward agent's`}},
		{name: "9 a person's write grows the agent manager's fields", req: func() *Request {
			old := live(hardened(), c3)
			u := live(hardened(), c3)
			md := u.Object["metadata"].(map[string]any)
			md["managedFields"].([]any)[0].(map[string]any)["fieldsV1"].(map[string]any)["f:spec"].(map[string]any)["f:paused"] = map[string]any{}
			return update(person, old, u)
		}, reason: ReasonAgentManager},
		{name: "9 a digest that is not Git's", req: func() *Request {
			u := live(hardened(), c3)
			u.SetAnnotations(merge(u.GetAnnotations(), map[string]string{provenance.AnnotationDigest: "sha256:" + strings.Repeat("b", 64)}))
			return update(agent, live(hardened(), c3), u)
		}, source: func(f *fakeSource) { f.digest = "sha256:" + strings.Repeat("a", 64) },
			reason: ReasonDiffers, contains: []string{"metadata.annotations[gitward.dev/digest] — Git says"}},
		{name: "kubectl create of Git's object with the API server's defaults", req: func() *Request {
			u := live(hardened(), c3)
			unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
			return &Request{Operation: Create, Kind: deployGVK, Resource: deployGVR, Namespace: "shop", Name: "web", User: person, Object: u}
		}, reason: ReasonUndeclared, contains: []string{"imagePullPolicy — Git does not declare it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFakeSource().at(c3, hardened())
			if tt.source != nil {
				tt.source(src)
			}
			got := decider(src, tt.decider).Decide(context.Background(), tt.req())
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

// TestLegitimate is the traffic the attacks' rules must keep admitting.
func TestLegitimate(t *testing.T) {
	tests := []struct {
		name   string
		req    func() *Request
		source func(*fakeSource)
	}{
		{name: "the agent creates Git's object; the API server adds defaults nobody owns", req: func() *Request {
			return &Request{Operation: Create, Kind: deployGVK, Resource: deployGVR, Namespace: "shop", Name: "web",
				User: agent, Object: live(hardened(), c3), FieldManager: provenance.FieldManager}
		}},
		{name: "the agent applies head over the previous commit", req: func() *Request {
			return update(agent, live(deployment(3, "nginx:1.24"), c2), live(hardened(), c3))
		}, source: func(f *fakeSource) { f.at(c2, deployment(3, "nginx:1.24")) }},
		{name: "the agent adopts an object made by hand", req: func() *Request {
			old := obj(hardened())
			old.SetResourceVersion("7")
			r := update(agent, old, live(hardened(), c3))
			r.FieldManager = provenance.FieldManager
			return r
		}},
		{name: "a controller writes status", req: func() *Request {
			old := live(hardened(), c3)
			r := update(UserInfo{Username: "system:serviceaccount:flux-system:helm-controller"}, old, edit(old, func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedField(u.Object, int64(7), "status", "observedGeneration")
			}))
			r.SubResource = "status"
			return r
		}},
		{name: "a Git digest", req: func() *Request {
			u := live(hardened(), c3)
			u.SetAnnotations(merge(u.GetAnnotations(), map[string]string{provenance.AnnotationDigest: "sha256:" + strings.Repeat("a", 64)}))
			return update(agent, live(hardened(), c3), u)
		}, source: func(f *fakeSource) { f.digest = "sha256:" + strings.Repeat("a", 64) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFakeSource().at(c3, hardened())
			if tt.source != nil {
				tt.source(src)
			}
			if got := decider(src, nil).Decide(context.Background(), tt.req()); !got.Allowed || got.Action != ActionAllowed {
				t.Fatalf("got %s (%s): %s", got.Action, got.Reason, got.Message)
			}
		})
	}
}

// TestManagedFieldsReset: a write that drops managedFields (sending
// [{}]) would make every later removal look like the removal of a default.
func TestManagedFieldsReset(t *testing.T) {
	old := live(hardened(), c3)
	u := old.DeepCopy()
	unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
	got := decider(newFakeSource().at(c3, hardened()), nil).Decide(context.Background(), update(person, old, u))
	if got.Allowed || !strings.Contains(got.Message, "metadata.managedFields — this request drops the record") {
		t.Fatalf("got %s: %s", got.Action, got.Message)
	}
}
