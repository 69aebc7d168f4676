package apply

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestByKindOrder(t *testing.T) {
	mk := func(kind, name string) *item {
		return &item{gvk: schema.GroupVersionKind{Kind: kind}, ref: Ref{Name: name}}
	}
	items := []*item{mk("Deployment", "web"), mk("Widget", "w1"), mk("ConfigMap", "a"), mk("Service", "web"),
		mk("ConfigMap", "b"), mk("Gadget", "g1"), mk("Secret", "s"), mk("Widget", "w2")}
	byKindOrder(items)
	var got []string
	for _, it := range items {
		got = append(got, it.gvk.Kind+"/"+it.ref.Name)
	}
	want := []string{"Secret/s", "ConfigMap/a", "ConfigMap/b", "Service/web", "Deployment/web", "Widget/w1", "Gadget/g1", "Widget/w2"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}
