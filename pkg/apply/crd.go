package apply

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
)

// crdPoll is how often waitCRDs looks at an applied CRD.
const crdPoll = 100 * time.Millisecond

// waitCRDs waits until every CRD among items is Established, then resets
// the REST mapper so that the second phase sees the new kinds. A CRD that
// does not become Established in time is recorded as failed; the objects of
// its kinds then fail with ErrUnknownKind.
func (a *Applier) waitCRDs(ctx context.Context, items []*item, res *Result) error {
	failed := map[Ref]bool{}
	for _, f := range res.Failed {
		failed[f.Ref] = true
	}
	var crds []*item
	for _, it := range items {
		if it.gvk.GroupKind() == gkCRD && it.mapping != nil && !failed[it.ref] {
			crds = append(crds, it)
		}
	}
	if len(crds) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, a.o.CRDTimeout)
	defer cancel()
	for _, it := range crds {
		err := wait.PollUntilContextCancel(ctx, crdPoll, true, func(ctx context.Context) (bool, error) {
			u, err := a.resource(it).Get(ctx, it.ref.Name, metav1.GetOptions{})
			if err != nil {
				return false, nil //nolint:nilerr // not there yet: keep polling
			}
			return established(u), nil
		})
		if err != nil {
			if a.o.Mode == ModeDetect {
				continue // a CRD that was never applied is not expected to exist
			}
			a.fail(res, it, fmt.Errorf("%w after %s: %v", ErrCRDNotEstablished, a.o.CRDTimeout, err))
		}
	}
	if r, ok := a.o.Mapper.(meta.ResettableRESTMapper); ok {
		r.Reset()
	}
	return nil
}

// established reports whether a CRD has condition Established=True.
func established(u *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if ok && m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}
