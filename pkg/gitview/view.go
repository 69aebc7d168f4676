package gitview

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/provenance"
)

// View is Git's view of one source. Create it with New, keep it fresh with
// Run; its methods are safe for concurrent use.
type View struct {
	o     Options
	repo  *gitrepo.Repo
	cache *cache
	head  atomic.Value // provenance.CommitID, published once rendered
	ready atomic.Bool

	first        firstParents
	slots        chan struct{} // renderings requests may start at once
	ancestry     sync.Map      // [2]provenance.CommitID → bool, see isAncestor
	ancestrySize atomic.Int32

	fetchMu   sync.Mutex // one fetch at a time
	lastFetch time.Time  // guarded by fetchMu
}

var _ admit.Source = (*View)(nil)

// New clones the source (bounded by ctx) and renders its head. A rendering
// error is not fatal: the view still tracks the branch and Ready stays false
// until a head renders.
func New(ctx context.Context, o Options) (*View, error) {
	o.Complete()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	repo, err := gitrepo.Clone(ctx, gitrepo.CloneOptions{URL: o.URL, Dir: o.Dir, Branch: o.Branch, Auth: o.Auth})
	if h := o.Hooks.Fetch; h != nil {
		h("clone", time.Since(start), err)
	}
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", o.Name, err)
	}
	v := &View{o: o, repo: repo, cache: newCache(o.CacheSize), slots: make(chan struct{}, o.MaxRenders)}
	if err := v.publishHead(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

// Run fetches the branch every PollInterval until ctx is done, pre-rendering
// each new head before publishing it.
func (v *View) Run(ctx context.Context) {
	t := time.NewTicker(v.o.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fctx, cancel := context.WithTimeout(ctx, max(v.o.FetchTimeout, v.o.PollInterval/2))
		if _, err := v.fetch(fctx, "poll", 0); err != nil {
			v.o.Log.Error(err, "poll failed; keeping the previous head", "source", v.o.Name)
		}
		cancel()
	}
}

// Ready reports whether the head has been rendered without error.
func (v *View) Ready() bool { return v.ready.Load() }

// Info implements admit.Source.
func (v *View) Info() admit.SourceInfo {
	return admit.SourceInfo{Name: v.o.Name, Repo: v.o.URL, Branch: v.o.Branch, Path: v.o.Path}
}

// Head implements admit.Source.
func (v *View) Head(context.Context) (provenance.CommitID, error) { return v.currentHead(), nil }

// currentHead returns the published head.
func (v *View) currentHead() provenance.CommitID {
	c, _ := v.head.Load().(provenance.CommitID)
	return c
}

// fetch fetches the branch and publishes a new head. With minGap > 0 it does
// nothing when the last fetch was less than minGap ago (it returns the
// current head). Fetches are serialised.
func (v *View) fetch(ctx context.Context, why string, minGap time.Duration) (provenance.CommitID, error) {
	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()
	if minGap > 0 && time.Since(v.lastFetch) < minGap {
		return v.currentHead(), nil
	}
	start := time.Now()
	err := v.repo.Fetch(ctx, gitrepo.FetchOptions{Branch: v.o.Branch})
	v.lastFetch = time.Now()
	if h := v.o.Hooks.Fetch; h != nil {
		h(why, time.Since(start), err)
	}
	if err != nil {
		return v.currentHead(), fmt.Errorf("source %s: %w", v.o.Name, err)
	}
	if err := v.publishHead(ctx); err != nil {
		return v.currentHead(), err
	}
	return v.currentHead(), nil
}

// publishHead renders the repository's branch head and makes it the head.
func (v *View) publishHead(ctx context.Context) error {
	h, err := v.repo.Head(v.o.Branch)
	if err != nil {
		return fmt.Errorf("source %s: %w", v.o.Name, err)
	}
	c := provenance.CommitID(h.String())
	if c == v.currentHead() {
		return nil
	}
	v.cache.pin(c)
	r, _, err := v.cache.get(ctx, c, func() *rendering { return v.renderAt(ctx, c) })
	if err == nil && r.err == nil {
		v.ready.Store(true)
	}
	v.head.Store(c)
	v.o.Log.Info("new head", "source", v.o.Name, "commit", c)
	return nil
}

// hashOf converts a commit id.
func hashOf(c provenance.CommitID) plumbing.Hash { return plumbing.NewHash(string(c)) }
