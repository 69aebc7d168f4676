package apply

import (
	"fmt"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// ForConfig fills in o's clients from cfg (a dynamic client, a metadata
// client and a discovery-backed REST mapper that Apply resets after CRDs)
// and returns the Applier.
func ForConfig(cfg *rest.Config, o Options) (*Applier, error) {
	var err error
	if o.Dynamic == nil {
		if o.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
			return nil, fmt.Errorf("apply: dynamic client: %w", err)
		}
	}
	if o.Metadata == nil {
		if o.Metadata, err = metadata.NewForConfig(cfg); err != nil {
			return nil, fmt.Errorf("apply: metadata client: %w", err)
		}
	}
	if o.Mapper == nil {
		dc, err := discovery.NewDiscoveryClientForConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("apply: discovery client: %w", err)
		}
		o.Mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	}
	return New(o)
}
