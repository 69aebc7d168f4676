package apply

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
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
