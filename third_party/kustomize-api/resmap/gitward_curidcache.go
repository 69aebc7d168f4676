// Copyright 2026 The gitward Authors.
// SPDX-License-Identifier: Apache-2.0

package resmap

import (
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/resid"
)

// CurIdCache remembers the CurId of every resource in a ResMap for the
// length of one loop that looks up referral candidates many times while
// mutating only one resource at a time (the name reference transformer).
//
// gitward: added (not in upstream kustomize). Upstream's
// SubsetThatCouldBeReferencedByResource recomputed CurId (several YAML
// lookups) for every resource on every call, which is O(n^2) for n
// referrers. The cache must not outlive the loop that built it: resources
// are mutated in place by transformers. Inside the loop, the caller must
// call Refresh(r) after mutating r; if r's id changed, the whole cache is
// rebuilt, so a filter that rewrote a referrer's own name, namespace,
// kind or apiVersion still sees exactly what upstream would. Membership of
// the ResMap must not change while the cache is in use.
type CurIdCache struct {
	rm ResMap
	// w is rm when it is a *resWrangler; nil means "no cache, delegate".
	w   *resWrangler
	ids []resid.ResId
	pos map[*resource.Resource]int
}

// NewCurIdCache computes the CurId of every resource in m.
func NewCurIdCache(m ResMap) *CurIdCache {
	c := &CurIdCache{rm: m}
	if w, ok := m.(*resWrangler); ok {
		c.w = w
		c.fill()
	}
	return c
}

func (c *CurIdCache) fill() {
	c.ids = make([]resid.ResId, len(c.w.rList))
	c.pos = make(map[*resource.Resource]int, len(c.w.rList))
	for i, r := range c.w.rList {
		c.ids[i] = r.CurId()
		c.pos[r] = i
	}
}

// Refresh recomputes the id of r after it may have been mutated; if it
// changed (or r is not known), every id is recomputed.
func (c *CurIdCache) Refresh(r *resource.Resource) {
	if c.w == nil {
		return
	}
	if len(c.ids) != len(c.w.rList) {
		c.fill()
		return
	}
	i, ok := c.pos[r]
	if !ok || c.ids[i] != r.CurId() {
		c.fill()
	}
}

// SubsetThatCouldBeReferencedByResource is
// ResMap.SubsetThatCouldBeReferencedByResource using the cached ids.
func (c *CurIdCache) SubsetThatCouldBeReferencedByResource(
	referrer *resource.Resource) (ResMap, error) {
	if c.w == nil {
		return c.rm.SubsetThatCouldBeReferencedByResource(referrer)
	}
	if len(c.ids) != len(c.w.rList) {
		c.fill()
	}
	return c.w.subsetThatCouldBeReferencedByResource(referrer, c.ids)
}
