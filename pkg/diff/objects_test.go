package diff

import (
	"strings"
	"testing"
)

func TestObjects(t *testing.T) {
	before := objs(t, configMap("same", "1"), configMap("changed", "1"), configMap("gone", "1"))
	after := objs(t, configMap("same", "1"), configMap("changed", "2"), configMap("new", "1"))
	res, err := Objects(before, after, Options{Masker: fixedMasker(t)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Action{}
	for _, d := range res.Objects {
		got[d.Key.Name] = d.Action
	}
	want := map[string]Action{"changed": Change, "gone": Delete, "new": Create}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if res.Unchanged != 1 {
		t.Errorf("Unchanged = %d, want 1", res.Unchanged)
	}
	if c := res.Counts(); c.String() != "1 to create, 1 changed, 1 to delete, 1 unchanged" {
		t.Errorf("Counts = %s", c)
	}
	for _, d := range res.Objects {
		if d.Action == Change && (len(d.Fields) != 1 || d.Fields[0] != ".data.key") {
			t.Errorf("Fields = %v, want [.data.key]", d.Fields)
		}
	}
}

func TestObjectsNumbersAndServerMetadata(t *testing.T) {
	before := objs(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: app, resourceVersion: '9', generation: 3}\nspec: {replicas: 2}\n")
	after := objs(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: app, resourceVersion: '10', generation: 3}\nspec: {replicas: 2.0}\n")
	after[0].Object["spec"].(map[string]any)["replicas"] = float64(2)
	before[0].Object["spec"].(map[string]any)["replicas"] = int64(2)
	res, err := Objects(before, after, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.HasChanges() {
		t.Errorf("int64 2 vs float64 2 and a new resourceVersion must be equal, got %+v", res.Objects)
	}
}

func TestUnifiedMatchesGNUFormat(t *testing.T) {
	a := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n"
	b := "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\nl\n"
	want := "@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n@@ -9,3 +9,4 @@\n i\n j\n k\n+l\n"
	if got := unified(a, b, 3); got != want {
		t.Errorf("unified:\n%s\nwant:\n%s", got, want)
	}
	if got := unified("", "x\n", 3); got != "@@ -0,0 +1 @@\n+x\n" {
		t.Errorf("unified from empty: %q", got)
	}
	if got := unified(a, a, 3); got != "" {
		t.Errorf("equal texts: %q", got)
	}
}

func TestPathString(t *testing.T) {
	p := path{"metadata", "labels", "app.kubernetes.io/name"}
	if got := p.String(); got != `.metadata.labels["app.kubernetes.io/name"]` {
		t.Errorf("got %s", got)
	}
	p = path{"spec", "containers", 0, "image"}
	if got := p.String(); got != ".spec.containers[0].image" {
		t.Errorf("got %s", got)
	}
}

func TestCompareHeaders(t *testing.T) {
	b := objs(t, configMap("c", "1"))[0]
	a := objs(t, configMap("c", "2"))[0]
	d, changed, err := Compare(b, a, Options{BeforeLabel: "live", AfterLabel: "git"})
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	if !strings.HasPrefix(d.Diff, "--- live/v1.ConfigMap.app.c\n+++ git/v1.ConfigMap.app.c\n@@") {
		t.Errorf("headers: %q", d.Diff)
	}
}
