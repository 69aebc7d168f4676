package webhookserver

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/provenance"
)

// oneCommit is a source whose branch is one commit declaring one ConfigMap.
type oneCommit struct{}

var (
	theCommit = provenance.CommitID(strings.Repeat("ab", 20))
	gitCM     = map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "x", "namespace": "shop"}, "data": map[string]any{"a": "1", "n": int64(2)}}
)

func (oneCommit) Info() admit.SourceInfo { return admit.SourceInfo{Name: "production", Branch: "main"} }
func (oneCommit) Head(context.Context) (provenance.CommitID, error) {
	return theCommit, nil
}
func (oneCommit) OnBranch(_ context.Context, c provenance.CommitID) (bool, error) {
	return c == theCommit, nil
}
func (oneCommit) IsAncestor(context.Context, provenance.CommitID, provenance.CommitID) (bool, error) {
	return false, nil
}
func (oneCommit) Declared(_ context.Context, c provenance.CommitID, k admit.Key) (map[string]any, bool, error) {
	if c == theCommit && k == (admit.Key{Kind: "ConfigMap", Namespace: "shop", Name: "x"}) {
		return gitCM, true, nil
	}
	return nil, false, nil
}
func (oneCommit) Refresh(context.Context) (provenance.CommitID, error) { return theCommit, nil }

// lazyCases are (object, oldObject) pairs around the declared ConfigMap.
var lazyCases = func() [][2]string {
	meta := `"metadata":{"name":"x","namespace":"shop","labels":{"gitward.dev/source":"production"},` +
		`"annotations":{"gitward.dev/commit":"` + string(theCommit) + `"},"managedFields":[{"manager":"m","time":"%s"}]}`
	obj := func(data, t string) string {
		return `{"apiVersion":"v1","kind":"ConfigMap",` + strings.Replace(meta, "%s", t, 1) + `,"data":` + data + `}`
	}
	return [][2]string{
		{obj(`{"a":"1","n":2}`, "1"), obj(`{"a":"1","n":2}`, "2")},
		{obj(`{"a":"1","n":2.0}`, "1"), obj(`{"a":"1","n":2}`, "2")},
		{obj(`{"a":"2","n":2}`, "1"), obj(`{"a":"1","n":2}`, "2")},
		{obj(`{"a":"1","n":2,"b":"x"}`, "1"), obj(`{"a":"1","n":2}`, "2")},
		{obj(`{"a":"1","n":2}`, "1"), obj(`{"a":"1","n":2,"b":"x"}`, "2")},
		{obj(`{"a":"\u0031","n":2}`, "1"), obj(`{"a":"1","n":2}`, "2")},
		{obj(`{"a":"1","n":2,"a":"2"}`, "1"), obj(`{"a":"1","n":2}`, "2")},
		{obj(`{"a":"1","n":2}`, "1"), `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"n":1e999}}`},
		{obj(`{"a":"1","n":2}`, "1") + " ", obj(`{"a":"1","n":2}`, "1")},
		{obj(`{"a":"1","n":2}`, "1"), "null"},
		{"null", obj(`{"a":"1","n":2}`, "1")},
	}
}()

// checkLazyRequest decides the pair lazily and decoded whole and requires
// the same decision, or the same error.
func checkLazyRequest(t *testing.T, op admit.Operation, n, o string) {
	t.Helper()
	d := &admit.Decider{Sources: map[string]admit.Source{"production": oneCommit{}},
		Namespaces: admit.StaticNamespaces{"shop": "production"}, Exempt: admit.DefaultExemptions()}
	head := func() *admit.Request {
		return &admit.Request{Operation: op, Kind: cmGVK(), Namespace: "shop", Name: "x", User: admit.UserInfo{Username: "alice"}}
	}
	whole := head()
	wantErr := decodeObjects(whole, []byte(n), []byte(o))
	lazy := head()
	lazyErr, ok := lazyObjects(lazy, []byte(n), []byte(o))
	if !ok {
		if wantErr == nil {
			t.Fatalf("%q / %q: the lazy parse failed where the whole decode did not", n, o)
		}
		return
	}
	got := d.Decide(context.Background(), lazy)
	if wantErr != nil {
		if *lazyErr == nil && got.Allowed {
			t.Fatalf("%q / %q: admitted lazily, but the objects do not decode: %v", n, o, wantErr)
		}
		return
	}
	if *lazyErr != nil {
		t.Fatalf("%q / %q: lazy decode failed: %v", n, o, *lazyErr)
	}
	if want := d.Decide(context.Background(), whole); !reflect.DeepEqual(got, want) {
		t.Fatalf("%q / %q:\n got: %+v\nwant: %+v", n, o, got, want)
	}
}

func TestLazyRequestMatchesWhole(t *testing.T) {
	for _, c := range append(lazyCases, pairCases...) {
		for _, op := range []admit.Operation{admit.Create, admit.Update, admit.Delete} {
			checkLazyRequest(t, op, c[0], c[1])
		}
	}
}

// FuzzLazyRequest: the handler's lazy request gets the decision the whole
// decode gets.
//
//	go test ./pkg/webhookserver -run '^$' -fuzz FuzzLazyRequest -fuzztime 30s
func FuzzLazyRequest(f *testing.F) {
	for _, c := range append(lazyCases, pairCases...) {
		f.Add(uint8(1), c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, op uint8, n, o string) {
		ops := []admit.Operation{admit.Create, admit.Update, admit.Delete}
		checkLazyRequest(t, ops[int(op)%len(ops)], n, o)
	})
}

func cmGVK() schema.GroupVersionKind {
	return schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
}

// TestLazyRequestDecodesNothingOnAMatch: an update that is Git's content,
// as the API server sends it, is decided without decoding the objects whole.
func TestLazyRequestDecodesNothingOnAMatch(t *testing.T) {
	r := &admit.Request{Operation: admit.Update, Kind: cmGVK(), Namespace: "shop", Name: "x", User: admit.UserInfo{Username: "alice"}}
	if _, ok := lazyObjects(r, []byte(lazyCases[0][0]), []byte(lazyCases[0][1])); !ok {
		t.Fatal("the lazy parse failed")
	}
	decode, calls := r.Lazy.Decode, 0
	r.Lazy.Decode = func() (*unstructured.Unstructured, *unstructured.Unstructured, error) {
		calls++
		return decode()
	}
	d := &admit.Decider{Sources: map[string]admit.Source{"production": oneCommit{}}, Exempt: admit.DefaultExemptions()}
	if got := d.Decide(context.Background(), r); !got.Allowed || got.Reason != admit.ReasonMatchesGit {
		t.Fatalf("got %+v", got)
	}
	if calls != 0 {
		t.Errorf("Decode called %d times", calls)
	}
}
