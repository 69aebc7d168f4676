package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/metadata"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/provenance"
)

// PreferredDiscovery lists the resources a cluster serves, one version per
// group ([discovery.DiscoveryInterface] has it).
type PreferredDiscovery interface {
	ServerPreferredResources() ([]*metav1.APIResourceList, error)
}

// LabelledObject is a live object carrying a source's label.
type LabelledObject struct {
	Ref         apply.Ref
	Resource    schema.GroupVersionResource
	Annotations map[string]string
}

// ListOptions configures [ListLabelled].
type ListOptions struct {
	Metadata    metadata.Interface
	Discovery   PreferredDiscovery
	Source      string
	Concurrency int
}

// superseded maps a deprecated resource to the one that replaces it: listing
// it only makes the API server print a deprecation warning.
var superseded = map[schema.GroupVersionResource]schema.GroupVersionResource{
	{Version: "v1", Resource: "endpoints"}: {Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"},
}

// ListLabelled lists, in every kind the cluster can list and delete, the
// objects labelled for the source that no controller owns. It finds what an
// inventory may have missed (objects applied before every sync recorded
// one); `kubectl gitops diff` shows them as prune candidates and
// `kubectl gitops sync --prune` hands them to the [Pruner] with the
// inventory, so the two agree. Objects with a controller ownerReference
// (an EndpointSlice copies its Service's labels) are the controller's,
// never gitward's.
func ListLabelled(ctx context.Context, o ListOptions) ([]LabelledObject, error) {
	if o.Metadata == nil || o.Discovery == nil {
		return nil, errors.New("inventory: ListOptions.Metadata and Discovery are required")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	lists, err := o.Discovery.ServerPreferredResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, fmt.Errorf("discover resources labelled %s: %w", provenance.SourceSelector(o.Source), err)
	}
	type res struct {
		gvr  schema.GroupVersionResource
		kind string
	}
	var resources []res
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !hasVerbs(r.Verbs, "list", "delete") || isSuperseded(gv.WithResource(r.Name), lists) {
				continue
			}
			resources = append(resources, res{gvr: gv.WithResource(r.Name), kind: r.Kind})
		}
	}
	var (
		mu   sync.Mutex
		errs []error
		out  []LabelledObject
		sem  = make(chan struct{}, o.Concurrency)
		wg   sync.WaitGroup
	)
	for _, r := range resources {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			l, err := o.Metadata.Resource(r.gvr).List(ctx, metav1.ListOptions{LabelSelector: provenance.SourceSelector(o.Source)})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("list %s labelled %s: %w", r.gvr.GroupResource(), provenance.SourceSelector(o.Source), err))
				return
			}
			for _, m := range l.Items {
				if metav1.GetControllerOfNoCopy(&m) != nil {
					continue
				}
				out = append(out, LabelledObject{
					Ref:      apply.Ref{Group: r.gvr.Group, Kind: r.kind, Namespace: m.Namespace, Name: m.Name},
					Resource: r.gvr, Annotations: m.Annotations,
				})
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, errors.Join(errs...)
}

// Refs returns the refs of objs.
func Refs(objs []LabelledObject) []apply.Ref {
	out := make([]apply.Ref, len(objs))
	for i, o := range objs {
		out[i] = o.Ref
	}
	return out
}

func isSuperseded(gvr schema.GroupVersionResource, lists []*metav1.APIResourceList) bool {
	repl, ok := superseded[gvr]
	if !ok {
		return false
	}
	for _, l := range lists {
		if l == nil || l.GroupVersion != repl.GroupVersion().String() {
			continue
		}
		for _, r := range l.APIResources {
			if r.Name == repl.Resource {
				return true
			}
		}
	}
	return false
}

func hasVerbs(verbs metav1.Verbs, want ...string) bool {
	for _, w := range want {
		found := false
		for _, v := range verbs {
			if v == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
