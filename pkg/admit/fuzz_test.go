package admit

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/provenance"
)

// FuzzDecide feeds arbitrary objects, operations, identities and
// subresources to Decide. It must never panic, a denial must carry a
// message, and a request that is Git's own content must be admitted.
//
//	go test ./pkg/admit -run '^$' -fuzz FuzzDecide -fuzztime 30s
func FuzzDecide(f *testing.F) {
	liveJSON, _ := json.Marshal(live(deployment(3, "nginx:1.25"), c3).Object)
	editJSON, _ := json.Marshal(live(deployment(5, "nginx:1.25"), c3).Object)
	f.Add(uint8(1), liveJSON, editJSON, "alice", "")
	f.Add(uint8(1), liveJSON, liveJSON, "alice", "scale")
	f.Add(uint8(0), []byte(`{"metadata":{"namespace":"shop","name":"x"}}`), []byte(`{}`), "bob", "")
	f.Add(uint8(2), liveJSON, []byte(`null`), "system:node:n", "")
	f.Add(uint8(1), []byte(`{"metadata":{"labels":{"gitward.dev/source":"production"},"annotations":7}}`),
		[]byte(`{"metadata":[],"spec":{"replicas":"x"}}`), "alice", "")
	f.Fuzz(func(t *testing.T, op uint8, oldJSON, newJSON []byte, user, sub string) {
		ops := []Operation{Create, Update, Delete, Connect}
		req := &Request{Operation: ops[int(op)%len(ops)], Kind: deployGVK, Resource: deployGVR, SubResource: sub,
			Namespace: "shop", Name: "web", User: UserInfo{Username: user, Groups: []string{"devs"}},
			Object: decodeObj(newJSON), OldObject: decodeObj(oldJSON), Parent: decodeObj(oldJSON)}
		src := newFakeSource().at(c3, deployment(3, "nginx:1.25")).at(c2, deployment(3, "nginx:1.25"))
		d := &Decider{Sources: map[string]Source{"production": src}, Namespaces: StaticNamespaces{"shop": "production"},
			Exempt: DefaultExemptions(), BreakGlassGroups: []string{"sre"}}
		got := d.Decide(context.Background(), req)
		if !got.Allowed && (got.Message == "" || got.Action != ActionDenied) {
			t.Fatalf("denial without message or with action %s: %+v", got.Action, got)
		}
		if got.Allowed && got.Action == ActionDenied {
			t.Fatalf("allowed with action denied: %+v", got)
		}
		// Git's content at head, applied by the agent over any drift, is admitted.
		drifted := live(deployment(int64(len(user)), sub), c2)
		if ok := d.Decide(context.Background(), update(agent, drifted, live(deployment(3, "nginx:1.25"), c3))); !ok.Allowed {
			t.Fatalf("Git's content denied: %+v", ok)
		}
	})
}

// decodeObj decodes JSON into an object, or nil.
func decodeObj(b []byte) *unstructured.Unstructured {
	var m map[string]any
	if json.Unmarshal(b, &m) != nil || m == nil {
		return nil
	}
	return &unstructured.Unstructured{Object: m}
}

// FuzzUndeclaredLeaf adds an arbitrary leaf, under an arbitrary path of
// keys, to Git's hardened Deployment as a person's edit would. Whatever the
// path, a leaf Git does not declare may never be admitted.
//
//	go test ./pkg/admit -run '^$' -fuzz FuzzUndeclaredLeaf -fuzztime 30s
func FuzzUndeclaredLeaf(f *testing.F) {
	f.Add("spec.template.spec.containers.0.securityContext.privileged", []byte(`true`))
	f.Add("data.ADMIN_MODE", []byte(`"true"`))
	f.Add("metadata.labels.app", []byte(`"web2"`))
	f.Add("spec.template.spec.hostNetwork", []byte(`false`))
	f.Fuzz(func(t *testing.T, path string, value []byte) {
		var v any
		if json.Unmarshal(value, &v) != nil || v == nil {
			return
		}
		old := live(hardened(), c3)
		u := old.DeepCopy()
		if !setPath(u.Object, strings.Split(path, "."), v) {
			return
		}
		ownChanges(old.Object, u.Object, "kubectl-edit")
		if equalJSON(u.Object, old.Object) || len(changedLeaves(old.Object, u.Object)) == 0 {
			return
		}
		d := decider(newFakeSource().at(c3, hardened()), nil)
		got := d.Decide(context.Background(), update(person, old, u))
		if got.Allowed {
			t.Fatalf("admitted %s = %s: %s", path, value, got.Message)
		}
	})
}

// setPath sets v at the dotted path in m, creating maps, indexing lists by
// number; false when the path does not fit.
func setPath(m map[string]any, keys []string, v any) bool {
	if len(keys) == 0 || keys[0] == "" || skipTopLevel(keys[0]) || keys[0] == "metadata" && len(keys) > 1 &&
		provenance.IsServerMetadata(keys[1]) {
		return false
	}
	var cur any = m
	for i, k := range keys {
		last := i == len(keys)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[k] = v
				return true
			}
			next, ok := c[k]
			if !ok {
				next = map[string]any{}
				c[k] = next
			}
			cur = next
		case []any:
			n, err := strconv.Atoi(k)
			if err != nil || n < 0 || n >= len(c) {
				return false
			}
			if last {
				c[n] = v
				return true
			}
			cur = c[n]
		default:
			return false
		}
	}
	return false
}
