package admit

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kjson "sigs.k8s.io/json"
)

// lazyOf returns req with its objects given as JSON (see Lazy), as the
// webhook's handler builds it, and the same request with the objects
// decoded whole from that JSON. ok is false when an object is not a JSON
// object.
func lazyOf(t testing.TB, req *Request, newJSON, oldJSON []byte) (lazy, whole *Request, ok bool) {
	t.Helper()
	decode := func(b []byte, heads bool) (*unstructured.Unstructured, bool) {
		if len(bytes.TrimSpace(b)) == 0 {
			return nil, true
		}
		var m map[string]any
		if kjson.UnmarshalCaseSensitivePreserveInts(b, &m) != nil {
			return nil, false
		}
		if m == nil {
			return nil, true
		}
		delete(m, "status")
		if md, ok := m["metadata"].(map[string]any); ok {
			delete(md, "managedFields")
		}
		if heads {
			for k := range m {
				if k != "apiVersion" && k != "kind" && k != "metadata" {
					delete(m, k)
				}
			}
		}
		return &unstructured.Unstructured{Object: m}, true
	}
	lz, wh := *req, *req
	var ok1, ok2, ok3, ok4 bool
	wh.Object, ok1 = decode(newJSON, false)
	wh.OldObject, ok2 = decode(oldJSON, false)
	lz.Object, ok3 = decode(newJSON, true)
	lz.OldObject, ok4 = decode(oldJSON, true)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, nil, false
	}
	lz.Lazy = &Lazy{Object: newJSON, OldObject: oldJSON, Decode: func() (*unstructured.Unstructured, *unstructured.Unstructured, error) {
		obj, _ := decode(newJSON, false)
		old, _ := decode(oldJSON, false)
		return obj, old, nil
	}}
	return &lz, &wh, true
}

// jsonOf marshals an object, or returns nil for nil.
func jsonOf(t testing.TB, u *unstructured.Unstructured) []byte {
	t.Helper()
	if u == nil {
		return nil
	}
	b, err := json.Marshal(u.Object)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkLazy decides req lazily and whole with deciders from newDecider
// (fresh sources, which count refreshes) and requires the same decision.
func checkLazy(t *testing.T, newDecider func() *Decider, req *Request, newJSON, oldJSON []byte) {
	t.Helper()
	lz, wh, ok := lazyOf(t, req, newJSON, oldJSON)
	if !ok {
		return
	}
	want := newDecider().Decide(context.Background(), wh)
	got := newDecider().Decide(context.Background(), lz)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("lazy decision differs:\n got: %+v\nwant: %+v\nobject: %s\noldObject: %s", got, want, newJSON, oldJSON)
	}
	// Again with the top-level members given, as the handler gives them.
	lz2, _, _ := lazyOf(t, req, newJSON, oldJSON)
	lz2.Lazy.Members, _ = rawMembers(newJSON, nil)
	lz2.Lazy.OldMembers, _ = rawMembers(oldJSON, nil)
	if got := newDecider().Decide(context.Background(), lz2); !reflect.DeepEqual(got, want) {
		t.Fatalf("lazy decision with members differs:\n got: %+v\nwant: %+v\nobject: %s\noldObject: %s", got, want, newJSON, oldJSON)
	}
}

func TestLazyMatchesWhole(t *testing.T) {
	git := deployment(3, "nginx:1.25")
	base := live(git, c3)
	base.Object["metadata"].(map[string]any)["managedFields"] = []any{map[string]any{"manager": "gitward"}}
	edits := map[string]func(m map[string]any){
		"same":          func(map[string]any) {},
		"replicas":      func(m map[string]any) { m["spec"].(map[string]any)["replicas"] = int64(5) },
		"replicas 3.0":  func(m map[string]any) { m["spec"].(map[string]any)["replicas"] = 3.0 },
		"replicas null": func(m map[string]any) { m["spec"].(map[string]any)["replicas"] = nil },
		"spec gone":     func(m map[string]any) { delete(m, "spec") },
		"spec null":     func(m map[string]any) { m["spec"] = nil },
		"spec list":     func(m map[string]any) { m["spec"] = []any{} },
		"new field":     func(m map[string]any) { m["spec"].(map[string]any)["paused"] = true },
		"zero field":    func(m map[string]any) { m["spec"].(map[string]any)["paused"] = false },
		"status":        func(m map[string]any) { m["status"] = map[string]any{"replicas": int64(9)} },
		"managedFields": func(m map[string]any) { m["metadata"].(map[string]any)["managedFields"] = []any{} },
		"label":         func(m map[string]any) { m["metadata"].(map[string]any)["labels"] = map[string]any{"app": "x"} },
		"cpu spelled": func(m map[string]any) {
			containers(m)[0].(map[string]any)["resources"] = map[string]any{"requests": map[string]any{"cpu": "0.5", "memory": "1Gi"}}
		},
		"cpu changed": func(m map[string]any) {
			containers(m)[0].(map[string]any)["resources"] = map[string]any{"requests": map[string]any{"cpu": "1", "memory": "1Gi"}}
		},
		"containers+1": func(m map[string]any) {
			m["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"] = append(containers(m), "x")
		},
		"image":         func(m map[string]any) { containers(m)[0].(map[string]any)["image"] = "nginx:1.26" },
		"escaped image": func(m map[string]any) { containers(m)[0].(map[string]any)["image"] = "nginx:<1.25>" },
		"commit": func(m map[string]any) {
			m["metadata"].(map[string]any)["annotations"].(map[string]any)["gitward.dev/commit"] = string(c2)
		},
		"other key": func(m map[string]any) { m["extra"] = map[string]any{"a": "b"} },
	}
	for name, fn := range edits {
		t.Run(name, func(t *testing.T) {
			newDecider := func() *Decider {
				src := newFakeSource().at(c3, git).at(c2, git)
				return &Decider{Sources: map[string]Source{"production": src}, Namespaces: StaticNamespaces{"shop": "production"},
					Exempt: DefaultExemptions(), BreakGlassGroups: []string{"sre"}}
			}
			edited := base.DeepCopy()
			fn(edited.Object)
			for _, who := range []UserInfo{person, agent} {
				checkLazy(t, newDecider, update(who, base, edited), jsonOf(t, edited), jsonOf(t, base))
				checkLazy(t, newDecider, update(who, edited, base), jsonOf(t, base), jsonOf(t, edited))
				create := &Request{Operation: Create, Kind: deployGVK, Resource: deployGVR, Namespace: "shop", Name: "web", User: who}
				checkLazy(t, newDecider, create, jsonOf(t, edited), nil)
				del := &Request{Operation: Delete, Kind: deployGVK, Resource: deployGVR, Namespace: "shop", Name: "web", User: who}
				checkLazy(t, newDecider, del, []byte("null"), jsonOf(t, edited))
			}
		})
	}
}

func containers(m map[string]any) []any {
	return m["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)
}

// FuzzLazy requires the lazy decision to be the whole one for arbitrary
// objects against Git's Deployment.
//
//	go test ./pkg/admit -run '^$' -fuzz FuzzLazy -fuzztime 30s
func FuzzLazy(f *testing.F) {
	liveJSON, _ := json.Marshal(live(deployment(3, "nginx:1.25"), c3).Object)
	editJSON, _ := json.Marshal(live(deployment(5, "nginx:1.25"), c3).Object)
	f.Add(uint8(1), liveJSON, editJSON, "alice")
	f.Add(uint8(1), liveJSON, liveJSON, "system:serviceaccount:gitward:gitward-agent")
	f.Add(uint8(0), []byte(`null`), liveJSON, "bob")
	f.Add(uint8(1), liveJSON, []byte(`{"metadata":{"labels":{"gitward.dev/source":"production"},"annotations":{"a":"\u0062"}},"spec":{"replicas":3.0,"a":1,"a":2}}`), "bob")
	f.Fuzz(func(t *testing.T, op uint8, oldJSON, newJSON []byte, user string) {
		ops := []Operation{Create, Update, Delete}
		req := &Request{Operation: ops[int(op)%len(ops)], Kind: deployGVK, Resource: deployGVR,
			Namespace: "shop", Name: "web", User: UserInfo{Username: user, Groups: []string{"devs"}}}
		newDecider := func() *Decider {
			src := newFakeSource().at(c3, deployment(3, "nginx:1.25")).at(c2, deployment(3, "nginx:1.25"))
			return &Decider{Sources: map[string]Source{"production": src}, Namespaces: StaticNamespaces{"shop": "production"},
				Exempt: DefaultExemptions(), BreakGlassGroups: []string{"sre"}}
		}
		if len(newJSON) > 0 && !json.Valid(newJSON) || len(oldJSON) > 0 && !json.Valid(oldJSON) {
			return // the handler hands Lazy valid JSON only
		}
		checkLazy(t, newDecider, req, newJSON, oldJSON)
	})
}

// TestLazyDecodesNothingOnAMatch: the agent applying Git's content over a
// live object whose server-managed fields and status moved on is decided on
// the JSON alone.
func TestLazyDecodesNothingOnAMatch(t *testing.T) {
	git := deployment(3, "nginx:1.25")
	old := live(git, c2)
	next := live(git, c3)
	next.SetGeneration(4)
	next.Object["status"] = map[string]any{"replicas": int64(3), "readyReplicas": int64(3)}
	lz, _, ok := lazyOf(t, update(agent, old, next), jsonOf(t, next), jsonOf(t, old))
	if !ok {
		t.Fatal("not JSON objects")
	}
	decode := lz.Lazy.Decode
	calls := 0
	lz.Lazy.Decode = func() (*unstructured.Unstructured, *unstructured.Unstructured, error) {
		calls++
		return decode()
	}
	d := &Decider{Sources: map[string]Source{"production": newFakeSource().at(c3, git).at(c2, git)}, Exempt: DefaultExemptions()}
	if got := d.Decide(context.Background(), lz); !got.Allowed || got.Reason != ReasonMatchesGit {
		t.Fatalf("got %+v", got)
	}
	if calls != 0 {
		t.Errorf("Decode called %d times", calls)
	}
}
