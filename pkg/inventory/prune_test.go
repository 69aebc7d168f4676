package inventory

import (
	"context"
	"errors"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	metadatafake "k8s.io/client-go/metadata/fake"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/provenance"
)

func mapper() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper([]schema.GroupVersion{{Version: "v1"}})
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	return m
}

func live(kind, ns, name, source string, annotations map[string]string) runtime.Object {
	o := &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: kind},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, UID: types.UID("uid-" + name), Annotations: annotations},
	}
	if source != "" {
		o.Labels = map[string]string{provenance.LabelSource: source}
	}
	return o
}

func cm(name string) apply.Ref { return apply.Ref{Kind: "ConfigMap", Namespace: "shop", Name: name} }
func ns(name string) apply.Ref { return apply.Ref{Kind: "Namespace", Name: name} }

func TestPrune(t *testing.T) {
	optIn := map[string]string{provenance.AnnotationPruneOptIn: provenance.PruneAllow}
	objects := []runtime.Object{
		live("ConfigMap", "shop", "kept", "shop", nil),
		live("ConfigMap", "shop", "removed", "shop", nil),
		live("ConfigMap", "shop", "handmade", "", nil),
		live("ConfigMap", "shop", "other", "other-source", nil),
		live("Namespace", "", "old", "shop", nil),
		live("Namespace", "", "old-allowed", "shop", optIn),
	}
	inventory := NewSet(cm("kept"), cm("removed"), cm("handmade"), cm("other"), cm("gone"), ns("old"), ns("old-allowed"))
	declared := []apply.Ref{cm("kept")}

	tests := []struct {
		name       string
		mode       apply.Mode
		declared   []apply.Ref
		allowEmpty bool
		wantErr    error
		wantPruned []apply.Ref
		wantInv    Set
	}{
		{name: "enforce", mode: apply.ModeEnforce, declared: declared,
			wantPruned: []apply.Ref{cm("removed"), ns("old-allowed")},
			wantInv:    NewSet(cm("kept"), ns("old"))},
		{name: "detect-only deletes nothing", mode: apply.ModeDetect, declared: declared,
			wantInv: NewSet(cm("kept"), cm("removed"), ns("old"), ns("old-allowed"))},
		{name: "empty rendering prunes nothing", mode: apply.ModeEnforce, wantErr: ErrEmptyRender,
			wantInv: inventory},
		{name: "empty rendering allowed", mode: apply.ModeEnforce, allowEmpty: true,
			wantPruned: []apply.Ref{cm("kept"), cm("removed"), ns("old-allowed")},
			wantInv:    NewSet(ns("old"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scheme := runtime.NewScheme()
			if err := metav1.AddMetaToScheme(scheme); err != nil {
				t.Fatal(err)
			}
			client := metadatafake.NewSimpleMetadataClient(scheme, objects...)
			p, err := NewPruner(PrunerOptions{Metadata: client, Mapper: mapper(), Source: "shop", Mode: tt.mode})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Prune(context.Background(), inventory, tt.declared, tt.allowEmpty)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if got, want := NewSet(res.Pruned...), NewSet(tt.wantPruned...); !Equal(got, want) {
				t.Errorf("pruned = %v, want %v", res.Pruned, tt.wantPruned)
			}
			if !Equal(res.Inventory, tt.wantInv) {
				t.Errorf("inventory = %v, want %v", res.Inventory.Sorted(), tt.wantInv.Sorted())
			}
			if len(res.Failed) > 0 {
				t.Errorf("failed: %v", res.Failed)
			}
			// The unlabelled object and the other source's object survive.
			for _, name := range []string{"handmade", "other"} {
				gvr := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
				if _, err := client.Resource(gvr).Namespace("shop").Get(context.Background(), name, metav1.GetOptions{}); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
		})
	}
}

func TestEntryRoundTrip(t *testing.T) {
	for _, r := range []apply.Ref{cm("a"), ns("b"), {Group: "apps", Kind: "Deployment", Namespace: "x", Name: "y"}} {
		got, err := Parse(Format(r))
		if err != nil || got != r {
			t.Errorf("Parse(Format(%v)) = %v, %v", r, got, err)
		}
	}
	for _, bad := range []string{"", "a/b", "/Kind//", "g/K/n/a/b"} {
		if _, err := Parse(bad); !errors.Is(err, ErrBadEntry) {
			t.Errorf("Parse(%q) error = %v, want ErrBadEntry", bad, err)
		}
	}
}
