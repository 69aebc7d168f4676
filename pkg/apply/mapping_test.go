package apply

import (
	"sync"
	"sync/atomic"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery/cached/memory"
	fakediscovery "k8s.io/client-go/discovery/fake"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	"k8s.io/client-go/restmapper"
	k8stesting "k8s.io/client-go/testing"
)

// TestRestMappingSeesLateCRD checks that a kind served after the mapper
// first filled its cache is found without building a new Applier.
func TestRestMappingSeesLateCRD(t *testing.T) {
	fd := &fakediscovery.FakeDiscovery{Fake: &k8stesting.Fake{}}
	fd.Resources = []*metav1.APIResourceList{{GroupVersion: "v1",
		APIResources: []metav1.APIResource{{Name: "configmaps", Kind: "ConfigMap", Namespaced: true}}}}
	scheme := runtime.NewScheme()
	a, err := New(Options{
		Dynamic:  dynamicfake.NewSimpleDynamicClient(scheme),
		Metadata: metadatafake.NewSimpleMetadataClient(scheme),
		Mapper:   restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(fd)),
		Source:   "src",
	})
	if err != nil {
		t.Fatal(err)
	}
	obj := func(apiVersion, kind string) Object {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(apiVersion)
		u.SetKind(kind)
		u.SetName("x")
		return Object{Object: u}
	}
	if refs := a.Refs([]Object{obj("v1", "ConfigMap")}); refs[0].Namespace != DefaultNamespace {
		t.Fatalf("ConfigMap ref = %v, want namespace %q", refs[0], DefaultNamespace)
	}
	if _, err := a.restMapping(obj("bitnami.com/v1alpha1", "SealedSecret").Object.GroupVersionKind().GroupKind(), "v1alpha1"); err == nil {
		t.Fatal("SealedSecret mapped before its CRD is served")
	}
	a.endCycle()
	fd.Resources = append(fd.Resources, &metav1.APIResourceList{GroupVersion: "bitnami.com/v1alpha1",
		APIResources: []metav1.APIResource{{Name: "sealedsecrets", Kind: "SealedSecret", Namespaced: true}}})
	m, err := a.restMapping(obj("bitnami.com/v1alpha1", "SealedSecret").Object.GroupVersionKind().GroupKind(), "v1alpha1")
	if err != nil {
		t.Fatalf("SealedSecret after its CRD is served: %v", err)
	}
	if m.Resource.Resource != "sealedsecrets" {
		t.Fatalf("resource = %v, want sealedsecrets", m.Resource)
	}
}

// countingMapper counts the resets of a resettable mapper.
type countingMapper struct {
	meta.ResettableRESTMapper
	resets atomic.Int32
}

func (c *countingMapper) Reset() { c.resets.Add(1); c.ResettableRESTMapper.Reset() }

// TestResetOnce checks the shared path the Pruner uses: a late kind is found
// after one reset, concurrent misses reset once, and End allows another.
func TestResetOnce(t *testing.T) {
	fd := &fakediscovery.FakeDiscovery{Fake: &k8stesting.Fake{}}
	fd.Resources = []*metav1.APIResourceList{{GroupVersion: "v1",
		APIResources: []metav1.APIResource{{Name: "configmaps", Kind: "ConfigMap", Namespaced: true}}}}
	cm := &countingMapper{ResettableRESTMapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(fd))}
	r := &ResetOnce{Mapper: cm}
	widget := schema.GroupKind{Group: "example.com", Kind: "Widget"}

	if _, err := r.RESTMapping(schema.GroupKind{Kind: "ConfigMap"}); err != nil {
		t.Fatal(err)
	}
	if cm.resets.Load() != 0 {
		t.Fatalf("a known kind reset the mapper")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := r.RESTMapping(widget); !meta.IsNoMatchError(err) {
				t.Errorf("Widget before its CRD: %v, want a no-match error", err)
			}
		})
	}
	wg.Wait()
	if n := cm.resets.Load(); n != 1 {
		t.Fatalf("%d resets for concurrent misses, want 1", n)
	}
	fd.Resources = append(fd.Resources, &metav1.APIResourceList{GroupVersion: "example.com/v1",
		APIResources: []metav1.APIResource{{Name: "widgets", Kind: "Widget", Namespaced: true}}})
	if _, err := r.RESTMapping(widget); err == nil {
		t.Fatal("Widget mapped without a reset: the cache was not used")
	}
	r.End()
	m, err := r.RESTMapping(widget, "v1")
	if err != nil {
		t.Fatalf("Widget after End and its CRD: %v", err)
	}
	if m.Resource.Resource != "widgets" || cm.resets.Load() != 2 {
		t.Fatalf("resource %v after %d resets, want widgets after 2", m.Resource, cm.resets.Load())
	}

	// The CRD goes: the cached mapping is stale until Invalidate, which
	// resets at most once until End.
	fd.Resources = fd.Resources[:1]
	if _, err := r.RESTMapping(widget, "v1"); err != nil {
		t.Fatalf("cached Widget mapping: %v", err)
	}
	r.End()
	r.Invalidate()
	r.Invalidate()
	if n := cm.resets.Load(); n != 3 {
		t.Fatalf("%d resets after two Invalidates, want 3", n)
	}
	if _, err := r.RESTMapping(widget, "v1"); !meta.IsNoMatchError(err) {
		t.Fatalf("Widget after Invalidate: %v, want a no-match error", err)
	}
}

// TestResetOnceLeavesOtherErrors checks that a mapper that cannot be reset
// answers as it is.
func TestResetOnceLeavesOtherErrors(t *testing.T) {
	m := meta.NewDefaultRESTMapper(nil)
	r := &ResetOnce{Mapper: m}
	if _, err := r.RESTMapping(schema.GroupKind{Kind: "ConfigMap"}); !meta.IsNoMatchError(err) {
		t.Fatalf("error = %v, want the no-match error of a plain mapper", err)
	}
}

// TestApplyNotFoundForgetsMappings checks that a 404 to an apply (a path the
// server no longer serves) resets the mapper once per Apply, so the next
// cycle does not reuse the stale mapping.
func TestApplyNotFoundForgetsMappings(t *testing.T) {
	fd := &fakediscovery.FakeDiscovery{Fake: &k8stesting.Fake{}}
	fd.Resources = []*metav1.APIResourceList{{GroupVersion: "example.com/v1alpha1",
		APIResources: []metav1.APIResource{{Name: "widgets", Kind: "Widget", Namespaced: true}}}}
	scheme := runtime.NewScheme()
	md := metadatafake.NewSimpleMetadataClient(scheme)
	gr := schema.GroupResource{Group: "example.com", Resource: "widgets"}
	md.PrependReactor("patch", "widgets", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(gr, "")
	})
	mapper := &countingMapper{ResettableRESTMapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(fd))}
	a, err := New(Options{Dynamic: dynamicfake.NewSimpleDynamicClient(scheme), Metadata: md, Mapper: mapper, Source: "src"})
	if err != nil {
		t.Fatal(err)
	}
	gvk := schema.GroupVersionKind{Group: "example.com", Version: "v1alpha1", Kind: "Widget"}
	m, err := a.restMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	u.SetName("w")
	it := &item{Object: Object{Object: u}, ref: Ref{Name: "w", Namespace: "ns"}, gvk: gvk, mapping: m}
	for range 2 {
		if _, err := a.apply(t.Context(), it); !apierrors.IsNotFound(err) {
			t.Fatalf("apply: %v, want the 404", err)
		}
	}
	if n := mapper.resets.Load(); n != 1 {
		t.Fatalf("resets after two 404s in one Apply = %d, want 1", n)
	}
	a.endCycle()
	_, _ = a.apply(t.Context(), it)
	if n := mapper.resets.Load(); n != 2 {
		t.Fatalf("resets after a 404 in the next Apply = %d, want 2", n)
	}
}
