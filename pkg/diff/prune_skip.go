package diff

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// superseded maps a deprecated resource to the one that replaces it. The
// prune listing skips the deprecated one when its replacement is served:
// listing it only makes the API server print a deprecation warning.
var superseded = map[schema.GroupVersionResource]schema.GroupVersionResource{
	{Version: "v1", Resource: "endpoints"}: {Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"},
}

// skipSuperseded reports whether gvr is deprecated and its replacement is
// among lists.
func skipSuperseded(gvr schema.GroupVersionResource, lists []*metav1.APIResourceList) bool {
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
