package diff

import (
	"context"
	"errors"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// listPageSize bounds one page of a live list.
const listPageSize = 500

// scope is one LIST: a resource in a namespace ("" for cluster-scoped).
type scope struct {
	gvr       schema.GroupVersionResource
	namespace string
}

// listLive fills in items' live objects with one paginated LIST per
// resource and namespace, never a GET per object.
func listLive(ctx context.Context, items []*item, o *LiveOptions) error {
	byScope := map[scope][]*item{}
	var scopes []scope
	for _, it := range items {
		if it.pending {
			continue
		}
		s := scope{gvr: it.gvr, namespace: it.desired.GetNamespace()}
		if _, ok := byScope[s]; !ok {
			scopes = append(scopes, s)
		}
		byScope[s] = append(byScope[s], it)
	}
	var (
		mu   sync.Mutex
		errs []error
		done int
	)
	forEach(ctx, len(scopes), o.Concurrency, func(i int) {
		s := scopes[i]
		live, err := list(ctx, o, s)
		mu.Lock()
		defer mu.Unlock()
		done++
		o.Progress("list", done, len(scopes))
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, it := range byScope[s] {
			it.live = live[it.desired.GetName()]
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// list returns the objects of one scope by name.
func list(ctx context.Context, o *LiveOptions, s scope) (map[string]*unstructured.Unstructured, error) {
	out := map[string]*unstructured.Unstructured{}
	opts := metav1.ListOptions{Limit: listPageSize}
	for {
		l, err := o.Dynamic.Resource(s.gvr).Namespace(s.namespace).List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("list %s in namespace %q: %w", s.gvr.GroupResource(), s.namespace, err)
		}
		for i := range l.Items {
			u := &l.Items[i]
			u.SetAPIVersion(l.GetAPIVersion())
			if u.GetKind() == "" {
				u.SetKind(kindOfList(l.GetKind()))
			}
			out[u.GetName()] = u
		}
		if l.GetContinue() == "" {
			return out, nil
		}
		opts.Continue = l.GetContinue()
	}
}

func kindOfList(listKind string) string {
	if n := len(listKind); n > 4 && listKind[n-4:] == "List" {
		return listKind[:n-4]
	}
	return listKind
}
