package inventory

import (
	"context"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/apply"
)

// Discovery is what the Pruner asks the API server when the REST mapper
// cannot map a kind of the inventory even after a reset (a
// discovery.DiscoveryInterface has both methods). It should not cache.
type Discovery interface {
	ServerGroups() (*metav1.APIGroupList, error)
	ServerResourcesForGroupVersion(groupVersion string) (*metav1.APIResourceList, error)
}

// kindState is what one Prune knows of a kind of its inventory.
type kindState int

const (
	kindServed kindState = iota // mapped: prune the object as usual
	kindGone                    // definitively not served: no object of it exists
	kindHidden                  // not mapped, and not provably gone: keep the entry
)

// kinds resolves the kinds of one Prune. Mappings go through the same
// reset-once path as the Applier's (apply.ResetOnce), so a kind the cached
// mapper does not know yet is found with one discovery, not dropped.
//
// A kind still unmapped after the reset is dropped from the inventory only
// when it is definitively gone, and then rightly so: deleting a
// CustomResourceDefinition deletes every object of its kind (the
// apiextensions finalizer removes them before the CRD goes), so there is
// nothing left to prune, and keeping the entry would retry forever. The
// proof asked for is:
//
//   - no CRD exists under the kind's conventional name (plural.group): a CRD
//     that exists but serves nothing (not Established yet, or every version
//     served: false) may still have objects in storage;
//   - discovery answers for the group in full: the group is not listed at
//     all, or every version of it is listed and none serves the kind. An
//     aggregated API whose server is down stays listed and its versions fail
//     to answer, so its objects, out of sight, keep their entries.
//
// Anything short of that proof keeps the entry for the next cycle (reason
// KindNotServed), or fails it when the API server could not be asked: an
// entry is never lost because the mapper or discovery was behind. A mapping
// from a stale cache whose resource answers 404 goes through the same proof
// after one more reset (see Pruner.pruneOne). The one corner left: a CRD
// with an unconventional plural that serves no version is not found by
// name, and its entries are dropped while its objects stay stored.
type kinds struct {
	p      *Pruner
	mapper *apply.ResetOnce

	mu     sync.Mutex
	groups *metav1.APIGroupList // nil until asked
	states map[schema.GroupKind]kindAnswer
}

type kindAnswer struct {
	state kindState
	err   error
}

func (p *Pruner) newKinds() *kinds {
	return &kinds{p: p, mapper: &apply.ResetOnce{Mapper: p.o.Mapper}, states: map[schema.GroupKind]kindAnswer{}}
}

// invalidate resets the mapper, at most once per Prune, after a mapping it
// gave named a resource the API server does not serve.
func (k *kinds) invalidate() {
	k.mapper.Invalidate()
	k.mu.Lock()
	clear(k.states)
	k.mu.Unlock()
}

// resolve maps gk; when it cannot, it says whether gk is gone. err is set
// when the API server could not be asked.
func (k *kinds) resolve(ctx context.Context, gk schema.GroupKind) (*meta.RESTMapping, kindState, error) {
	m, err := k.mapper.RESTMapping(gk)
	if err == nil {
		return m, kindServed, nil
	}
	if !meta.IsNoMatchError(err) {
		return nil, kindHidden, fmt.Errorf("map kind %s: %w", gk, err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if a, ok := k.states[gk]; ok {
		return nil, a.state, a.err
	}
	state, err := k.goneState(ctx, gk)
	k.states[gk] = kindAnswer{state, err}
	return nil, state, err
}

// goneState looks for the proof described on kinds. The caller holds k.mu.
func (k *kinds) goneState(ctx context.Context, gk schema.GroupKind) (kindState, error) {
	if k.p.o.Discovery == nil {
		return kindHidden, nil // no way to prove anything
	}
	if gk.Group != "" {
		plural, _ := meta.UnsafeGuessKindToResource(gk.WithVersion(""))
		_, err := k.p.o.Metadata.Resource(crdGVR).Get(ctx, plural.Resource+"."+gk.Group, metav1.GetOptions{})
		switch {
		case err == nil:
			return kindHidden, nil
		case apierrors.IsNotFound(err), apierrors.IsForbidden(err):
			// No such CRD, or not allowed to know: discovery decides.
		default:
			return kindHidden, fmt.Errorf("kind %s is not served; read its CustomResourceDefinition: %w", gk, err)
		}
	}
	if k.groups == nil {
		groups, err := k.p.o.Discovery.ServerGroups()
		if err != nil {
			return kindHidden, fmt.Errorf("kind %s is not served; list API groups: %w", gk, err)
		}
		k.groups = groups
	}
	for _, g := range k.groups.Groups {
		if g.Name != gk.Group {
			continue
		}
		for _, v := range g.Versions {
			list, err := k.p.o.Discovery.ServerResourcesForGroupVersion(v.GroupVersion)
			if err != nil {
				return kindHidden, fmt.Errorf("kind %s is not served; discover %s: %w", gk, v.GroupVersion, err)
			}
			for _, r := range list.APIResources {
				if r.Kind == gk.Kind {
					return kindHidden, nil // served now: the mapper is behind, retry next cycle
				}
			}
		}
	}
	return kindGone, nil
}
