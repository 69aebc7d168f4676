package inventory

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
)

// CRDYAML is the CustomResourceDefinition of SourceState; manifests/agent
// carries the same file.
//
//go:embed sourcestates.yaml
var CRDYAML []byte

// GVR is the resource of SourceState objects.
var GVR = schema.GroupVersionResource{Group: "gitward.dev", Version: "v1alpha1", Resource: "sourcestates"}

// Kind is the kind of the record object.
const Kind = "SourceState"

// Store loads and saves the inventory of one source.
type Store interface {
	Load(ctx context.Context) (Set, error)
	Save(ctx context.Context, s Set) error
}

// RecordStore keeps the inventory in status.inventory of the SourceState
// named after the source in Namespace. It writes only when the set changed
// since it last loaded or saved it.
type RecordStore struct {
	Client    dynamic.Interface
	Namespace string
	Source    string

	mu   sync.Mutex
	last Set // nil until loaded or saved
}

var _ Store = (*RecordStore)(nil)

// Load reads the inventory; a missing SourceState is an empty inventory.
func (s *RecordStore) Load(ctx context.Context) (Set, error) {
	u, err := s.Client.Resource(GVR).Namespace(s.Namespace).Get(ctx, s.Source, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		s.setLast(Set{})
		return Set{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inventory of source %q: read %s %s/%s: %w", s.Source, Kind, s.Namespace, s.Source, err)
	}
	entries, _, _ := unstructured.NestedStringSlice(u.Object, "status", "inventory")
	set := make(Set, len(entries))
	for _, e := range entries {
		ref, err := Parse(e)
		if err != nil {
			return nil, fmt.Errorf("inventory of source %q in %s %s/%s: %w", s.Source, Kind, s.Namespace, s.Source, err)
		}
		set[ref] = struct{}{}
	}
	s.setLast(set)
	return set, nil
}

// Cached returns the inventory as last loaded or saved through s, and
// loads it when s has not seen it yet. Use it when s is the only writer.
func (s *RecordStore) Cached(ctx context.Context) (Set, error) {
	s.mu.Lock()
	last := s.last
	s.mu.Unlock()
	if last != nil {
		return Union(last), nil
	}
	return s.Load(ctx)
}

// Save writes the inventory, creating the SourceState if needed.
func (s *RecordStore) Save(ctx context.Context, set Set) error {
	s.mu.Lock()
	unchanged := s.last != nil && Equal(s.last, set)
	s.mu.Unlock()
	if unchanged {
		return nil
	}
	if err := EnsureRecord(ctx, s.Client, s.Namespace, s.Source); err != nil {
		return err
	}
	entries := make([]string, 0, len(set))
	for _, r := range set.Sorted() {
		entries = append(entries, Format(r))
	}
	patchJSON, err := json.Marshal(map[string]any{"status": map[string]any{"inventory": entries}})
	if err != nil {
		return err
	}
	if _, err := s.Client.Resource(GVR).Namespace(s.Namespace).Patch(ctx, s.Source, types.MergePatchType,
		patchJSON, metav1.PatchOptions{FieldManager: "gitward-agent"}, "status"); err != nil {
		return fmt.Errorf("inventory of source %q: write %s %s/%s: %w", s.Source, Kind, s.Namespace, s.Source, err)
	}
	s.setLast(Union(set))
	return nil
}

func (s *RecordStore) setLast(set Set) {
	s.mu.Lock()
	s.last = Union(set)
	s.mu.Unlock()
}

// EnsureRecord creates the SourceState of source in namespace if it is
// missing.
func EnsureRecord(ctx context.Context, c dynamic.Interface, namespace, source string) error {
	ri := c.Resource(GVR).Namespace(namespace)
	if _, err := ri.Get(ctx, source, metav1.GetOptions{}); err == nil {
		return nil
	} else if !apierrors.IsNotFound(err) {
		return fmt.Errorf("read %s %s/%s: %w", Kind, namespace, source, err)
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": GVR.GroupVersion().String(),
		"kind":       Kind,
		"metadata":   map[string]any{"name": source, "namespace": namespace},
		"spec":       map[string]any{"source": source},
	}}
	if _, err := ri.Create(ctx, u, metav1.CreateOptions{FieldManager: "gitward-agent"}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create %s %s/%s: %w", Kind, namespace, source, err)
	}
	return nil
}

// crdGVR is the resource of CustomResourceDefinitions.
var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// InstallCRD server-side-applies the SourceState CRD and waits until it is
// Established or ctx ends.
func InstallCRD(ctx context.Context, c dynamic.Interface) error {
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(CRDYAML, &u.Object); err != nil {
		return fmt.Errorf("install the %s CRD: %w", Kind, err)
	}
	if _, err := c.Resource(crdGVR).Apply(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: "gitward-agent", Force: true}); err != nil {
		return fmt.Errorf("install the %s CRD: %w", Kind, err)
	}
	for {
		got, err := c.Resource(crdGVR).Get(ctx, u.GetName(), metav1.GetOptions{})
		if err == nil {
			conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
			for _, cond := range conds {
				if m, ok := cond.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("install the %s CRD: waiting for Established: %w", Kind, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
