package admit

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/gitward/gitward/pkg/provenance"
)

// Commits of the fake branch, oldest first, and one that is not on it.
var (
	c1       = provenance.CommitID("3f2a9c1" + strings.Repeat("1", 33))
	c2       = provenance.CommitID("5b7e0d2" + strings.Repeat("2", 33))
	c3       = provenance.CommitID("9c4f1a3" + strings.Repeat("3", 33))
	c4       = provenance.CommitID("d00d004" + strings.Repeat("4", 33)) // pushed, fetched by Refresh
	offTrunk = provenance.CommitID("bad0bad" + strings.Repeat("0", 33))
)

// fakeSource is a linear history with a rendering per commit.
type fakeSource struct {
	info      SourceInfo
	history   []provenance.CommitID // oldest first
	head      provenance.CommitID
	refreshTo provenance.CommitID // head after Refresh; "" keeps it
	objs      map[provenance.CommitID][]map[string]any
	err       error
	refreshes int
	digest    string // Git's digest of every object; "" for the one live stamps
}

var _ Source = (*fakeSource)(nil)

func newFakeSource() *fakeSource {
	return &fakeSource{
		info:    SourceInfo{Name: "production", Repo: "https://git.example.com/org/manifests.git", Branch: "main", Path: "overlays/production"},
		history: []provenance.CommitID{c1, c2, c3, c4},
		head:    c3,
		objs:    map[provenance.CommitID][]map[string]any{},
	}
}

// at declares objs at commit c.
func (f *fakeSource) at(c provenance.CommitID, objs ...map[string]any) *fakeSource {
	f.objs[c] = objs
	return f
}

func (f *fakeSource) Info() SourceInfo { return f.info }

func (f *fakeSource) Head(context.Context) (provenance.CommitID, error) { return f.head, f.err }

func (f *fakeSource) OnBranch(_ context.Context, c provenance.CommitID) (bool, error) {
	if f.err != nil {
		return false, f.err
	}
	i := slices.Index(f.history, c)
	return i >= 0 && i <= slices.Index(f.history, f.head), nil
}

func (f *fakeSource) IsAncestor(_ context.Context, a, b provenance.CommitID) (bool, error) {
	if f.err != nil {
		return false, f.err
	}
	i, j := slices.Index(f.history, a), slices.Index(f.history, b)
	return i >= 0 && j >= 0 && i < j, nil
}

func (f *fakeSource) Declared(_ context.Context, c provenance.CommitID, k Key) (map[string]any, bool, error) {
	if f.err != nil {
		return nil, false, f.err
	}
	for _, o := range f.objs[c] {
		if KeyOf(&unstructured.Unstructured{Object: o}) == k {
			return o, true, nil
		}
	}
	return nil, false, nil
}

// DeclaredDigest implements Digester.
func (f *fakeSource) DeclaredDigest(ctx context.Context, c provenance.CommitID, k Key) (string, bool, error) {
	_, found, err := f.Declared(ctx, c, k)
	d := f.digest
	if d == "" {
		d = "sha256:" + strings.Repeat("a", 64)
	}
	return d, found, err
}

func (f *fakeSource) Refresh(context.Context) (provenance.CommitID, error) {
	f.refreshes++
	if f.refreshTo != "" {
		f.head = f.refreshTo
	}
	return f.head, f.err
}

// obj builds an unstructured object from a literal.
func obj(m map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: runtime.DeepCopyJSON(m)}
}

// deployment is Git's rendering of deployment web in namespace shop.
func deployment(replicas int64, image string) map[string]any {
	return map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata":   map[string]any{"name": "web", "namespace": "shop", "labels": map[string]any{"app": "web"}},
		"spec": map[string]any{
			"replicas": replicas,
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec": map[string]any{"containers": []any{map[string]any{
					"name": "web", "image": image,
					"resources": map[string]any{"requests": map[string]any{"cpu": "500m", "memory": "1Gi"}},
				}}},
			},
		},
	}
}

// live returns Git's object as the API server holds it after the agent
// applied it at commit c: stamped, defaulted, server metadata, status, and
// managedFields in which the agent owns what Git declares and nobody owns
// the defaults.
func live(git map[string]any, c provenance.CommitID) *unstructured.Unstructured {
	u := obj(git)
	u.Object["metadata"].(map[string]any)["managedFields"] = []any{map[string]any{
		"manager": provenance.FieldManager, "operation": "Apply", "apiVersion": u.GetAPIVersion(),
		"fieldsType": "FieldsV1", "fieldsV1": fieldsV1Of(withContract(git))}}
	u.SetLabels(merge(u.GetLabels(), map[string]string{provenance.LabelSource: "production"}))
	u.SetAnnotations(merge(u.GetAnnotations(), map[string]string{
		provenance.AnnotationCommit: string(c), provenance.AnnotationDigest: "sha256:" + strings.Repeat("a", 64)}))
	u.SetResourceVersion("42")
	u.SetUID("0f6c5ab4-0000-4000-8000-000000000001")
	u.SetGeneration(3)
	_ = unstructured.SetNestedField(u.Object, int64(3), "status", "replicas")
	if cs, ok, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers"); ok {
		for _, c := range cs {
			m := c.(map[string]any)
			m["imagePullPolicy"] = "IfNotPresent"
			m["terminationMessagePath"] = "/dev/termination-log"
		}
		_ = unstructured.SetNestedSlice(u.Object, cs, "spec", "template", "spec", "containers")
	}
	return u
}

// merge returns a with b's entries added.
func merge(a, b map[string]string) map[string]string {
	if a == nil {
		a = map[string]string{}
	}
	for k, v := range b {
		a[k] = v
	}
	return a
}

// edit returns a copy of u changed by fn, as a person's write (kubectl
// edit, patch, client-side apply) is stored: the API server records a
// managedFields entry of the writer that owns every leaf it added or
// changed (TestManagedFieldsDifferential checks this on a real one).
func edit(u *unstructured.Unstructured, fn func(u *unstructured.Unstructured)) *unstructured.Unstructured {
	out := u.DeepCopy()
	fn(out)
	ownChanges(u.Object, out.Object, "kubectl-edit")
	return out
}

// ownChanges adds to new's managedFields an Update entry of manager owning
// every leaf new adds or changes relative to old.
func ownChanges(old, new map[string]any, manager string) {
	tree := map[string]any{}
	for _, c := range changedLeaves(old, new) {
		if c.Kind == leafRemoved {
			continue
		}
		node, val := tree, any(new)
		for _, s := range c.Path {
			var k string
			if s.IsIndex {
				l := val.([]any)
				val = l[s.Index]
				if m, ok := val.(map[string]any); ok && m["name"] != nil {
					k = `k:{"name":"` + m["name"].(string) + `"}`
				} else {
					k = "i:" + strconv.Itoa(s.Index)
				}
			} else {
				val = val.(map[string]any)[s.Key]
				k = "f:" + s.Key
			}
			next, ok := node[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[k] = next
			}
			node = next
		}
	}
	if len(tree) == 0 {
		return
	}
	md, _ := new["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		new["metadata"] = md
	}
	entries, _ := md["managedFields"].([]any)
	md["managedFields"] = append(entries, map[string]any{"manager": manager, "operation": "Update",
		"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": tree})
}

// withContract returns git with the contract keys the agent stamps.
func withContract(git map[string]any) map[string]any {
	u := obj(git)
	u.SetLabels(merge(u.GetLabels(), map[string]string{provenance.LabelSource: "production"}))
	u.SetAnnotations(merge(u.GetAnnotations(), map[string]string{provenance.AnnotationCommit: "x", provenance.AnnotationDigest: "y"}))
	return u.Object
}

// fieldsV1Of is the fieldsV1 tree server-side apply records for an applied
// object: maps by key, lists of named maps by name, other lists atomic.
func fieldsV1Of(v map[string]any) map[string]any {
	out := map[string]any{}
	for k, e := range v {
		if k == "apiVersion" || k == "kind" {
			continue
		}
		out["f:"+k] = fieldsNode(e)
	}
	return out
}

func fieldsNode(v any) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return map[string]any{}
		}
		n := fieldsV1Of(x)
		n["."] = map[string]any{}
		return n
	case []any:
		n := map[string]any{}
		for _, e := range x {
			m, ok := e.(map[string]any)
			name, named := m["name"].(string)
			if !ok || !named {
				return map[string]any{} // atomic
			}
			item := fieldsV1Of(m)
			item["."] = map[string]any{}
			n[`k:{"name":"`+name+`"}`] = item
		}
		return n
	}
	return map[string]any{}
}
