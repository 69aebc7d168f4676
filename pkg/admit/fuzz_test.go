package admit

import (
	"context"
	"encoding/json"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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
