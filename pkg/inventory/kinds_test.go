package inventory

import (
	"context"
	"errors"
	"fmt"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery/cached/memory"
	fakediscovery "k8s.io/client-go/discovery/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	"k8s.io/client-go/restmapper"
	k8stesting "k8s.io/client-go/testing"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/provenance"
)

// apiServer is a fake discovery: the groups and resources it serves, and
// groups listed whose versions fail to answer (an aggregated API that is
// down).
type apiServer struct {
	*fakediscovery.FakeDiscovery
	down map[string]bool // group versions that fail
}

func newAPIServer() *apiServer {
	fd := &fakediscovery.FakeDiscovery{Fake: &k8stesting.Fake{}}
	fd.Resources = []*metav1.APIResourceList{{GroupVersion: "v1", APIResources: []metav1.APIResource{
		{Name: "configmaps", Kind: "ConfigMap", Namespaced: true},
		{Name: "namespaces", Kind: "Namespace"},
	}}}
	return &apiServer{FakeDiscovery: fd, down: map[string]bool{}}
}

// serve adds a served resource of kind in groupVersion.
func (s *apiServer) serve(groupVersion, kind string) *apiServer {
	plural, _ := meta.UnsafeGuessKindToResource(schema.FromAPIVersionAndKind(groupVersion, kind))
	s.Resources = append(s.Resources, &metav1.APIResourceList{GroupVersion: groupVersion,
		APIResources: []metav1.APIResource{{Name: plural.Resource, Kind: kind, Namespaced: true}}})
	return s
}

// fail lists groupVersion but fails to discover it.
func (s *apiServer) fail(groupVersion string) *apiServer {
	s.Resources = append(s.Resources, &metav1.APIResourceList{GroupVersion: groupVersion})
	s.down[groupVersion] = true
	return s
}

func (s *apiServer) ServerResourcesForGroupVersion(gv string) (*metav1.APIResourceList, error) {
	if s.down[gv] {
		return nil, fmt.Errorf("the server is currently unable to handle the request (%s)", gv)
	}
	return s.FakeDiscovery.ServerResourcesForGroupVersion(gv)
}

// liveOf is a live object's metadata.
func liveOf(apiVersion, kind, ns, name, source string) runtime.Object {
	o := &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{APIVersion: apiVersion, Kind: kind},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, UID: types.UID("uid-" + name)},
	}
	if source != "" {
		o.Labels = map[string]string{provenance.LabelSource: source}
	}
	return o
}

func widget(name string) apply.Ref {
	return apply.Ref{Group: "example.com", Kind: "Widget", Namespace: "shop", Name: name}
}

// errMapper fails every mapping with an error that is not a no-match.
type errMapper struct{ meta.RESTMapper }

func (errMapper) RESTMapping(schema.GroupKind, ...string) (*meta.RESTMapping, error) {
	return nil, errors.New("mapper broken")
}

// TestPruneUnmappedKinds checks that a kind the mapper does not know is
// resolved through one reset, and that its entries are dropped only when the
// kind is definitively gone.
func TestPruneUnmappedKinds(t *testing.T) {
	widgetCRD := liveOf("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com", "")
	tests := []struct {
		name string
		// server is what discovery serves once the test starts; the mapper's
		// cache was filled before, with only the core group.
		server func() *apiServer
		// cached is what the mapper's cache was filled with (default: the
		// core group only).
		cached      func() *apiServer
		resource404 bool // the API server does not serve the widgets resource
		objects     []runtime.Object
		noDiscovery bool
		brokenMap   bool
		wantPruned  []apply.Ref
		wantKept    string // reason of w1 when kept
		wantFailed  bool
		wantInv     Set
	}{
		{name: "kind served after the mapper's cache filled is pruned",
			server:     func() *apiServer { return newAPIServer().serve("example.com/v1", "Widget") },
			objects:    []runtime.Object{liveOf("example.com/v1", "Widget", "shop", "w1", "shop")},
			wantPruned: []apply.Ref{widget("w1")}, wantInv: NewSet(cm("kept"))},
		{name: "unlabelled object of a late kind is left alone",
			server:   func() *apiServer { return newAPIServer().serve("example.com/v1", "Widget") },
			objects:  []runtime.Object{liveOf("example.com/v1", "Widget", "shop", "w1", "")},
			wantKept: ReasonUnlabeled, wantInv: NewSet(cm("kept"))},
		{name: "CRD deleted and its group gone: dropped",
			server:  newAPIServer,
			wantInv: NewSet(cm("kept"))},
		{name: "CRD deleted, other kinds of its group served: dropped",
			server:  func() *apiServer { return newAPIServer().serve("example.com/v1", "Gadget") },
			wantInv: NewSet(cm("kept"))},
		{name: "CRD exists but serves nothing: kept",
			server:   newAPIServer,
			objects:  []runtime.Object{widgetCRD},
			wantKept: ReasonKindNotServed, wantInv: NewSet(cm("kept"), widget("w1"))},
		{name: "group listed but its server down: failed, kept",
			server:     func() *apiServer { return newAPIServer().fail("example.com/v1") },
			wantFailed: true, wantInv: NewSet(cm("kept"), widget("w1"))},
		{name: "no discovery to prove it gone: kept",
			server: newAPIServer, noDiscovery: true,
			wantKept: ReasonKindNotServed, wantInv: NewSet(cm("kept"), widget("w1"))},
		{name: "stale mapping of a deleted CRD: dropped",
			cached: func() *apiServer { return newAPIServer().serve("example.com/v1", "Widget") },
			server: newAPIServer, resource404: true,
			wantInv: NewSet(cm("kept"))},
		{name: "stale mapping of a version no longer served: kept",
			cached: func() *apiServer { return newAPIServer().serve("example.com/v1", "Widget") },
			server: newAPIServer, resource404: true,
			objects:  []runtime.Object{widgetCRD},
			wantKept: ReasonKindNotServed, wantInv: NewSet(cm("kept"), widget("w1"))},
		{name: "resource not served although discovery says so: kept",
			server:      func() *apiServer { return newAPIServer().serve("example.com/v1", "Widget") },
			resource404: true,
			wantKept:    ReasonKindNotServed, wantInv: NewSet(cm("kept"), widget("w1"))},
		{name: "mapper error: failed, kept",
			server: newAPIServer, brokenMap: true,
			wantFailed: true, wantInv: NewSet(cm("kept"), widget("w1"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAPIServer()
			if tt.cached != nil {
				srv = tt.cached()
			}
			var mapper meta.RESTMapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(srv))
			if _, err := mapper.RESTMapping(schema.GroupKind{Kind: "ConfigMap"}); err != nil {
				t.Fatal(err) // fills the cache before the kind is served
			}
			*srv = *tt.server()
			if tt.brokenMap {
				mapper = errMapper{mapper}
			}
			scheme := runtime.NewScheme()
			if err := metav1.AddMetaToScheme(scheme); err != nil {
				t.Fatal(err)
			}
			client := metadatafake.NewSimpleMetadataClient(scheme, tt.objects...)
			if tt.resource404 {
				// What the API server answers for a path it does not serve.
				client.PrependReactor("*", "widgets", func(k8stesting.Action) (bool, runtime.Object, error) {
					return true, nil, apierrors.NewNotFound(schema.GroupResource{}, "")
				})
			}
			o := PrunerOptions{Metadata: client, Mapper: mapper, Source: "shop", Discovery: srv}
			if tt.noDiscovery {
				o.Discovery = nil
			}
			p, err := NewPruner(o)
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Prune(context.Background(), NewSet(cm("kept"), widget("w1")), []apply.Ref{cm("kept")}, false)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := NewSet(res.Pruned...), NewSet(tt.wantPruned...); !Equal(got, want) {
				t.Errorf("pruned = %v, want %v", res.Pruned, tt.wantPruned)
			}
			var kept string
			for _, k := range res.Kept {
				if k.Ref == widget("w1") {
					kept = k.Reason
				}
			}
			if kept != tt.wantKept {
				t.Errorf("kept reason = %q, want %q", kept, tt.wantKept)
			}
			if failed := len(res.Failed) > 0; failed != tt.wantFailed {
				t.Errorf("failed = %v, want failed %v", res.Failed, tt.wantFailed)
			} else if failed && res.Failed[0].Ref != widget("w1") {
				t.Errorf("failed %v, want the widget", res.Failed[0].Ref)
			}
			if !Equal(res.Inventory, tt.wantInv) {
				t.Errorf("inventory = %v, want %v", res.Inventory.Sorted(), tt.wantInv.Sorted())
			}
		})
	}
}
