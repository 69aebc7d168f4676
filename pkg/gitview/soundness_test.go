package gitview

import (
	"context"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/provenance"
)

// TestOnBranchFirstParent: in a merge workflow only the commits main itself
// pointed at are on the branch; a commit of a merged branch is reachable
// from the head but was never what main declared.
func TestOnBranchFirstParent(t *testing.T) {
	ctx := context.Background()
	f, c1 := newFixture(t)
	f.work.Git("checkout", "-q", "-b", "feature")
	forked := f.setReplicas("0") // forks before the live commit
	f.work.Git("checkout", "-q", "main")
	live := f.setReplicas("2")
	f.work.Git("merge", "-q", "--no-ff", "-X", "ours", "-m", "merge feature", "feature")
	merge := provenance.CommitID(f.work.Head())
	f.push()
	v := newView(t, f, Hooks{})
	for _, tc := range []struct {
		c    provenance.CommitID
		want bool
	}{{c1, true}, {live, true}, {merge, true}, {forked, false}} {
		got, err := v.OnBranch(ctx, tc.c)
		if err != nil || got != tc.want {
			t.Errorf("OnBranch(%s) = %v, %v; want %v", tc.c.Short(), got, err, tc.want)
		}
	}
	if ok, err := v.IsAncestor(ctx, provenance.CommitID("bad0bad0bad0bad0bad0bad0bad0bad0bad0bad0"), merge); ok || err != nil {
		t.Errorf("an unknown commit is an ancestor: %v %v", ok, err)
	}
}

// TestNormalize: Git's objects are compared as the API server stores them.
func TestNormalize(t *testing.T) {
	deploy := map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "web"},
		"spec": map[string]any{"replicas": int64(0), "template": map[string]any{"spec": map[string]any{
			"automountServiceAccountToken": false, "hostNetwork": false,
			"containers": []any{map[string]any{"name": "web", "image": "nginx", "securityContext": map[string]any{},
				"resources": map[string]any{"requests": map[string]any{"cpu": "0.1"}}}}}}}}
	got := normalize(&unstructured.Unstructured{Object: deploy}, logr.Discard())
	spec := got["spec"].(map[string]any)
	pod := spec["template"].(map[string]any)["spec"].(map[string]any)
	c := pod["containers"].([]any)[0].(map[string]any)
	switch {
	case spec["replicas"] != int64(0):
		t.Errorf("replicas: 0 dropped: %v", spec)
	case pod["automountServiceAccountToken"] != false:
		t.Errorf("automountServiceAccountToken: false dropped: %v", pod)
	case pod["hostNetwork"] != nil:
		t.Errorf("hostNetwork: false kept, the API server drops it: %v", pod)
	case c["securityContext"] == nil:
		t.Errorf("securityContext: {} dropped: %v", c)
	case c["resources"].(map[string]any)["requests"].(map[string]any)["cpu"] != "100m":
		t.Errorf("cpu not canonical: %v", c["resources"])
	}
	cm := normalize(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "c"}, "data": map[string]any{}}}, logr.Discard())
	if _, ok := cm["data"]; ok {
		t.Errorf("data: {} kept, the API server drops it: %v", cm)
	}
	cr := map[string]any{"apiVersion": "example.com/v1", "kind": "Widget", "spec": map[string]any{"a": ""}}
	if got := normalize(&unstructured.Unstructured{Object: cr}, logr.Discard()); got["spec"].(map[string]any)["a"] != "" {
		t.Errorf("a custom resource changed: %v", got)
	}
}

// TestDigestAndPins: the digest is the agent's; a flood of old commits
// never evicts the head.
func TestDigestAndPins(t *testing.T) {
	ctx := context.Background()
	f, c1 := newFixture(t)
	var old []provenance.CommitID
	for _, n := range []string{"2", "3", "4", "5", "6", "7"} {
		old = append(old, f.setReplicas(n))
	}
	head := f.setReplicas("8")
	f.push()
	v := newView(t, f, Hooks{})
	d, found, err := v.DeclaredDigest(ctx, head, cmKey)
	if err != nil || !found || !provenance.IsDigest(d) {
		t.Fatalf("DeclaredDigest: %q %v %v", d, found, err)
	}
	for _, c := range append(old, c1) {
		if _, _, err := v.Declared(ctx, c, cmKey); err != nil {
			t.Fatal(err)
		}
	}
	misses := 0
	v.o.Hooks.Cache = func(hit bool) {
		if !hit {
			misses++
		}
	}
	if _, _, err := v.Declared(ctx, head, cmKey); err != nil || misses != 0 {
		t.Errorf("the head was evicted by old commits (misses %d, %v)", misses, err)
	}
	// A request that cannot get a render slot in time fails closed.
	for range cap(v.slots) {
		v.slots <- struct{}{}
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, _, err := v.Declared(short, old[0], cmKey); err == nil {
		t.Error("an evicted commit rendered without a render slot")
	}
	if _, _, err := v.Declared(ctx, head, cmKey); err != nil {
		t.Errorf("the head needs no render slot: %v", err)
	}
}
