package admit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/provenance"
)

var (
	person     = UserInfo{Username: "alice", Groups: []string{"system:authenticated", "devs"}}
	agent      = UserInfo{Username: "system:serviceaccount:gitward-system:gitward-agent", Groups: []string{"system:serviceaccounts"}}
	deployGVK  = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	deployGVR  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	scaleGVK   = schema.GroupVersionKind{Group: "autoscaling", Version: "v1", Kind: "Scale"}
	cmGVK      = schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	cmGVR      = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	breakGlass = UserInfo{Username: "bob", Groups: []string{"gitward:break-glass"}}
)

// update is an UPDATE of deployment web from old to new by who.
func update(who UserInfo, old, new *unstructured.Unstructured) *Request {
	return &Request{Operation: Update, Kind: deployGVK, Resource: deployGVR, Namespace: "shop", Name: "web",
		User: who, Object: new, OldObject: old}
}

// scale is kubectl scale: an UPDATE of deployments/scale.
func scale(who UserInfo, parent *unstructured.Unstructured, replicas int64) *Request {
	s := obj(map[string]any{"apiVersion": "autoscaling/v1", "kind": "Scale",
		"metadata": map[string]any{"name": "web", "namespace": "shop"}, "spec": map[string]any{"replicas": replicas}})
	return &Request{Operation: Update, Kind: scaleGVK, Resource: deployGVR, SubResource: "scale", Namespace: "shop",
		Name: "web", User: who, Object: s, OldObject: s, Parent: parent, ParentKind: deployGVK}
}

func configMap(name string, data map[string]any) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "namespace": "shop"}, "data": data}
}

func TestDecide(t *testing.T) {
	git3 := deployment(3, "nginx:1.25")
	liveC3 := live(git3, c3)
	atC3 := func(u *unstructured.Unstructured) { setCommit(u, c3) }
	tests := []struct {
		name      string
		source    func(*fakeSource)
		decider   func(*Decider)
		req       func() *Request
		allowed   bool
		reason    Reason
		action    Action
		message   string   // exact, when set
		contains  []string // substrings of the message
		warnings  int
		refreshes int
	}{
		{
			name: "kubectl edit changes replicas",
			req: func() *Request {
				return update(person, live(git3, c1), edit(live(git3, c1), func(u *unstructured.Unstructured) {
					_ = unstructured.SetNestedField(u.Object, int64(5), "spec", "replicas")
				}))
			},
			source: func(f *fakeSource) { f.at(c1, git3) },
			reason: ReasonDiffers, action: ActionDenied,
			message: "deployment/web in namespace shop is managed by Git (source production, commit 3f2a9c1): " +
				"spec.replicas — Git says 3, this request says 5. Change overlays/production in Git, or ask for break-glass.",
		},
		{
			name: "kubectl set image",
			req: func() *Request {
				return update(person, liveC3, edit(liveC3, func(u *unstructured.Unstructured) { setImage(u, "nginx:1.26") }))
			},
			reason: ReasonDiffers, action: ActionDenied,
			contains: []string{`spec.template.spec.containers[0].image — Git says "nginx:1.25", this request says "nginx:1.26"`, "commit 9c4f1a3"},
		},
		{
			name:   "kubectl scale",
			req:    func() *Request { return scale(person, liveC3, 5) },
			reason: ReasonDiffers, action: ActionDenied,
			contains: []string{"deployment/web in namespace shop", "spec.replicas — Git says 3, this request says 5"},
		},
		{
			name:    "kubectl scale of a path an ignore rule covers",
			decider: func(d *Decider) { d.Ignore = []IgnoreRule{mustRule(t, "apps/Deployment:spec.replicas")} },
			req:     func() *Request { return scale(person, liveC3, 7) },
			allowed: true, reason: ReasonMatchesGit, action: ActionAllowed,
		},
		{
			name:   "kubectl scale without the parent object",
			req:    func() *Request { r := scale(person, nil, 5); return r },
			reason: ReasonNoLiveObject, action: ActionDenied,
			contains: []string{"deployment/web", "could not read the object"},
		},
		{
			name: "kubectl label",
			req: func() *Request {
				return update(person, liveC3, edit(liveC3, func(u *unstructured.Unstructured) {
					u.SetLabels(merge(u.GetLabels(), map[string]string{"team": "blue"}))
				}))
			},
			reason: ReasonUndeclared, action: ActionDenied,
			contains: []string{`metadata.labels[team] — Git does not declare it, this request sets it to "blue"`},
		},
		{
			name: "kubectl annotate",
			req: func() *Request {
				return update(person, liveC3, edit(liveC3, func(u *unstructured.Unstructured) {
					u.SetAnnotations(merge(u.GetAnnotations(), map[string]string{"example.com/owner": "bob"}))
				}))
			},
			reason: ReasonUndeclared, action: ActionDenied,
			contains: []string{`metadata.annotations[example.com/owner] — Git does not declare it`},
		},
		{
			name: "removing the source label to escape",
			req: func() *Request {
				return update(person, liveC3, edit(liveC3, func(u *unstructured.Unstructured) {
					l := u.GetLabels()
					delete(l, provenance.LabelSource)
					u.SetLabels(l)
				}))
			},
			reason: ReasonDiffers, action: ActionDenied,
			contains: []string{`metadata.labels[gitward.dev/source] — Git says "production", this request leaves it out`},
		},
		{
			name: "removing the commit annotation",
			req: func() *Request {
				return update(person, liveC3, edit(liveC3, func(u *unstructured.Unstructured) {
					a := u.GetAnnotations()
					delete(a, provenance.AnnotationCommit)
					u.SetAnnotations(a)
				}))
			},
			reason: ReasonMissingCommit, action: ActionDenied,
			contains: []string{"metadata.annotations[gitward.dev/commit] — missing"},
		},
		{
			name: "a malformed commit annotation",
			req: func() *Request {
				return update(person, liveC3, edit(liveC3, func(u *unstructured.Unstructured) { setCommit(u, "HEAD") }))
			},
			reason: ReasonMissingCommit, action: ActionDenied,
			contains: []string{`invalid commit id "HEAD"`},
		},
		{
			name: "apply copying a real commit annotation but changing a field",
			req: func() *Request {
				return update(person, live(git3, c2), edit(live(git3, c2), func(u *unstructured.Unstructured) {
					atC3(u)
					setImage(u, "evil:latest")
				}))
			},
			source: func(f *fakeSource) { f.at(c2, git3) },
			reason: ReasonDiffers, action: ActionDenied,
			contains: []string{`Git says "nginx:1.25", this request says "evil:latest"`},
		},
		{
			name:    "Git's content at head",
			req:     func() *Request { return update(agent, live(git3, c2), live(git3, c3)) },
			source:  func(f *fakeSource) { f.at(c2, git3) },
			allowed: true, reason: ReasonMatchesGit, action: ActionAllowed,
		},
		{
			name: "Git's content at the previous commit while head moved on",
			req: func() *Request {
				return update(agent, live(deployment(2, "nginx:1.24"), c1), live(deployment(3, "nginx:1.25"), c2))
			},
			source: func(f *fakeSource) {
				f.at(c1, deployment(2, "nginx:1.24")).at(c2, deployment(3, "nginx:1.25")).at(c3, deployment(4, "nginx:1.26"))
			},
			allowed: true, reason: ReasonMatchesGit, action: ActionAllowed,
		},
		{
			name: "a field Git stopped declaring is removed",
			req: func() *Request {
				old := deployment(3, "nginx:1.25")
				old["spec"].(map[string]any)["paused"] = true
				return update(agent, live(old, c2), live(git3, c3))
			},
			source: func(f *fakeSource) {
				old := deployment(3, "nginx:1.25")
				old["spec"].(map[string]any)["paused"] = true
				f.at(c2, old)
			},
			allowed: true, reason: ReasonMatchesGit, action: ActionAllowed,
		},
		{
			name: "a commit that is not on the branch",
			req: func() *Request {
				return update(agent, liveC3, edit(liveC3, func(u *unstructured.Unstructured) { setCommit(u, offTrunk) }))
			},
			source: func(f *fakeSource) { f.at(offTrunk, git3) },
			reason: ReasonNotOnBranch, action: ActionDenied,
			contains: []string{"commit bad0bad is not on branch main of https://git.example.com/org/manifests.git"},
		},
		{
			name: "a commit older than the live object's",
			req: func() *Request {
				return update(agent, liveC3, live(deployment(1, "nginx:1.20"), c1))
			},
			source: func(f *fakeSource) { f.at(c1, deployment(1, "nginx:1.20")) },
			reason: ReasonOlderCommit, action: ActionDenied,
			contains: []string{"commit 3f2a9c1 does not descend from the live object's commit 9c4f1a3"},
		},
		{
			name: "a commit that does not declare the object",
			req: func() *Request {
				return update(agent, live(git3, c1), live(git3, c2))
			},
			reason: ReasonNotDeclared, action: ActionDenied,
			contains: []string{"Git does not declare deployment/web at commit 5b7e0d2"},
		},
		{
			name: "kubectl delete of an object Git declares",
			req: func() *Request {
				return &Request{Operation: Delete, Kind: deployGVK, Resource: deployGVR, Namespace: "shop", Name: "web",
					User: person, OldObject: liveC3}
			},
			reason: ReasonStillDeclared, action: ActionDenied, refreshes: 1,
			message: "deployment/web in namespace shop is managed by Git (source production, commit 9c4f1a3): " +
				"Git still declares it at the head of branch main. Remove it from overlays/production in Git, or ask for break-glass.",
		},
		{
			name: "delete right after a commit removed the object: refresh once, then admit",
			req: func() *Request {
				return &Request{Operation: Delete, Kind: deployGVK, Resource: deployGVR, Namespace: "shop", Name: "web",
					User: agent, OldObject: liveC3}
			},
			source:  func(f *fakeSource) { f.refreshTo = c4 },
			allowed: true, reason: ReasonNoLongerInGit, action: ActionAllowed, refreshes: 1,
		},
		{
			name: "delete of an object Git no longer declares",
			req: func() *Request {
				return &Request{Operation: Delete, Kind: cmGVK, Resource: cmGVR, Namespace: "shop", Name: "old",
					User: person, OldObject: live(configMap("old", nil), c1)}
			},
			allowed: true, reason: ReasonNoLongerInGit, action: ActionAllowed,
		},
		{
			name: "kubectl create in a managed namespace",
			req: func() *Request {
				return &Request{Operation: Create, Kind: cmGVK, Resource: cmGVR, Namespace: "shop", Name: "x",
					User: person, Object: obj(configMap("x", map[string]any{"k": "v"}))}
			},
			reason: ReasonNotDeclared, action: ActionDenied,
			message: "configmap/x in namespace shop is managed by Git (source production, commit 9c4f1a3): " +
				"Git does not declare configmap/x at the head of branch main. Add it to overlays/production in Git, or ask for break-glass.",
		},
		{
			name: "kubectl create of an object Git declares, without the commit",
			req: func() *Request {
				return &Request{Operation: Create, Kind: cmGVK, Resource: cmGVR, Namespace: "shop", Name: "x",
					User: person, Object: obj(configMap("x", map[string]any{"k": "v"}))}
			},
			source: func(f *fakeSource) { f.at(c3, git3, configMap("x", map[string]any{"k": "v"})) },
			reason: ReasonMissingCommit, action: ActionDenied,
		},
		{
			name: "the agent creates Git's object",
			req: func() *Request {
				return &Request{Operation: Create, Kind: cmGVK, Resource: cmGVR, Namespace: "shop", Name: "x",
					User: agent, Object: live(configMap("x", map[string]any{"k": "v"}), c3)}
			},
			source:  func(f *fakeSource) { f.at(c3, git3, configMap("x", map[string]any{"k": "v"})) },
			allowed: true, reason: ReasonMatchesGit, action: ActionAllowed,
		},
		{
			name: "create in a namespace nobody manages",
			req: func() *Request {
				return &Request{Operation: Create, Kind: cmGVK, Resource: cmGVR, Namespace: "scratch", Name: "x",
					User: person, Object: obj(map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
						"metadata": map[string]any{"name": "x", "namespace": "scratch"}})}
			},
			allowed: true, reason: ReasonNotManaged, action: ActionAllowed,
		},
		{
			name: "a ReplicaSet a Deployment owns",
			req: func() *Request {
				rs := obj(map[string]any{"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": map[string]any{
					"name": "web-1", "namespace": "shop", "ownerReferences": []any{map[string]any{
						"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u", "controller": true}}}})
				rsc := UserInfo{Username: "system:serviceaccount:ops:rollouts-controller"}
				return &Request{Operation: Create, Kind: rs.GroupVersionKind(), Namespace: "shop", Name: "web-1", User: rsc, Object: rs}
			},
			decider: func(d *Decider) { d.Controllers.Users = []string{"system:serviceaccount:ops:rollouts-controller"} },
			allowed: true, reason: ReasonControllerOwned, action: ActionAllowed,
		},
		{
			name: "the deployment controller updates the Deployment",
			req: func() *Request {
				dc := UserInfo{Username: "system:serviceaccount:kube-system:deployment-controller"}
				return update(dc, liveC3, edit(liveC3, func(u *unstructured.Unstructured) {
					u.SetAnnotations(merge(u.GetAnnotations(), map[string]string{"deployment.kubernetes.io/revision": "2"}))
				}))
			},
			allowed: true, reason: ReasonExemptIdentity, action: ActionAllowed,
		},
		{
			name: "a status update",
			req: func() *Request {
				r := update(person, liveC3, edit(liveC3, func(u *unstructured.Unstructured) {
					_ = unstructured.SetNestedField(u.Object, int64(9), "status", "replicas")
				}))
				r.SubResource = "status"
				return r
			},
			allowed: true, reason: ReasonMatchesGit, action: ActionAllowed,
		},
		{
			name: "break-glass",
			req: func() *Request {
				return update(breakGlass, liveC3, edit(liveC3, func(u *unstructured.Unstructured) { setImage(u, "nginx:hotfix") }))
			},
			allowed: true, reason: ReasonDiffers, action: ActionBreakGlass, warnings: 1,
			contains: []string{`Git says "nginx:1.25", this request says "nginx:hotfix"`},
		},
		{
			name:    "warn mode",
			decider: func(d *Decider) { d.Mode = ModeWarn },
			req:     func() *Request { return scale(person, liveC3, 5) },
			allowed: true, reason: ReasonDiffers, action: ActionWarned, warnings: 1,
		},
		{
			name:   "Git cannot be consulted: fail closed",
			source: func(f *fakeSource) { f.err = errors.New("fetch: connection refused") },
			req:    func() *Request { return scale(person, liveC3, 3) },
			reason: ReasonGitUnavailable, action: ActionDenied,
			contains: []string{"cannot check against Git: fetch: connection refused"},
		},
		{
			name: "a source label this webhook does not track",
			req: func() *Request {
				u := edit(liveC3, func(u *unstructured.Unstructured) {
					u.SetLabels(merge(u.GetLabels(), map[string]string{provenance.LabelSource: "staging"}))
					u.SetNamespace("elsewhere")
				})
				r := update(person, u, u)
				r.Namespace = "elsewhere"
				return r
			},
			reason: ReasonUnknownSource, action: ActionDenied,
			contains: []string{`names source "staging", which this webhook does not track`},
		},
		{
			name: "finalizers removed from an object being deleted",
			req: func() *Request {
				old := edit(liveC3, func(u *unstructured.Unstructured) {
					u.SetFinalizers([]string{"example.com/cleanup"})
					_ = unstructured.SetNestedField(u.Object, "2026-01-01T00:00:00Z", "metadata", "deletionTimestamp")
				})
				return update(person, old, edit(old, func(u *unstructured.Unstructured) { u.SetFinalizers(nil) }))
			},
			allowed: true, reason: ReasonMatchesGit, action: ActionAllowed,
		},
		{
			name: "numbers compare by value, a declared empty map is there",
			source: func(f *fakeSource) {
				g := deployment(3, "nginx:1.25")
				g["spec"].(map[string]any)["replicas"] = float64(3)
				g["metadata"].(map[string]any)["annotations"] = map[string]any{}
				f.at(c3, g)
			},
			req:     func() *Request { return update(agent, liveC3, liveC3.DeepCopy()) },
			allowed: true, reason: ReasonMatchesGit, action: ActionAllowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFakeSource().at(c3, git3)
			if tt.source != nil {
				tt.source(src)
			}
			d := &Decider{
				Sources:          map[string]Source{"production": src},
				Namespaces:       StaticNamespaces{"shop": "production"},
				BreakGlassGroups: []string{"gitward:break-glass"},
				Exempt:           DefaultExemptions(),
			}
			if tt.decider != nil {
				tt.decider(d)
			}
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			got := d.Decide(context.Background(), tt.req())
			t.Logf("decision: %+v", got)
			if got.Allowed != tt.allowed || got.Reason != tt.reason || got.Action != tt.action {
				t.Errorf("got allowed=%v reason=%s action=%s, want allowed=%v reason=%s action=%s\nmessage: %s",
					got.Allowed, got.Reason, got.Action, tt.allowed, tt.reason, tt.action, got.Message)
			}
			if tt.message != "" && got.Message != tt.message {
				t.Errorf("message:\n got: %s\nwant: %s", got.Message, tt.message)
			}
			for _, s := range tt.contains {
				if !strings.Contains(got.Message, s) {
					t.Errorf("message %q does not contain %q", got.Message, s)
				}
			}
			if len(got.Warnings) != tt.warnings {
				t.Errorf("got %d warnings %q, want %d", len(got.Warnings), got.Warnings, tt.warnings)
			}
			if src.refreshes != tt.refreshes {
				t.Errorf("got %d refreshes, want %d", src.refreshes, tt.refreshes)
			}
			if got.Managed && (got.AuditAnnotations["decision"] != string(got.Action) || got.AuditAnnotations["reason"] != string(got.Reason)) {
				t.Errorf("audit annotations %v do not match the decision", got.AuditAnnotations)
			}
			if got.BreakGlass != (got.Action == ActionBreakGlass) {
				t.Errorf("BreakGlass = %v with action %s", got.BreakGlass, got.Action)
			}
		})
	}
}

func setCommit(u *unstructured.Unstructured, c provenance.CommitID) {
	u.SetAnnotations(merge(u.GetAnnotations(), map[string]string{provenance.AnnotationCommit: string(c)}))
}

func setImage(u *unstructured.Unstructured, image string) {
	cs, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
	cs[0].(map[string]any)["image"] = image
	_ = unstructured.SetNestedSlice(u.Object, cs, "spec", "template", "spec", "containers")
}

func mustRule(t *testing.T, s string) IgnoreRule {
	t.Helper()
	r, err := ParseIgnoreRule(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
