package gitview

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/provenance"
)

// rendering is Git's rendering of the source at one commit.
type rendering struct {
	// objects are normalised as the API server stores them (normalize.go).
	objects map[admit.Key]map[string]any
	// digests are provenance.Digest of each object as rendered, which the
	// agent stamps.
	digests map[admit.Key]string
	// unplaced are the objects rendered without a namespace, as rendered:
	// the agent places them in its default namespace, and their digest
	// depends on it (see digestIn).
	unplaced map[admit.Key]map[string]any
	placed   sync.Map // admit.Key (with namespace) → string digest
	err      error
}

// entry is a cache slot; done is closed when the rendering is ready.
type entry struct {
	commit provenance.CommitID
	done   chan struct{}
	r      *rendering
	elem   *list.Element
}

// cache is a bounded LRU of renderings, with one rendering in flight per
// commit. Pinned commits (the current and the previous head) are never
// evicted: a flood of requests naming old commits can push out only each
// other, never the renderings that requests at head need.
type cache struct {
	mu      sync.Mutex
	size    int
	entries map[provenance.CommitID]*entry
	lru     *list.List // front: most recent
	pinned  [2]provenance.CommitID
}

func newCache(size int) *cache {
	return &cache{size: size, entries: map[provenance.CommitID]*entry{}, lru: list.New()}
}

// pin makes c the pinned head; the previous pinned head stays pinned.
func (c *cache) pin(commit provenance.CommitID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pinned[0] != commit {
		c.pinned = [2]provenance.CommitID{commit, c.pinned[0]}
	}
}

// isPinned reports whether commit is pinned. The caller holds c.mu.
func (c *cache) isPinned(commit provenance.CommitID) bool {
	return commit != "" && (c.pinned[0] == commit || c.pinned[1] == commit)
}

// evict drops the least recent unpinned entries beyond the size. The
// caller holds c.mu.
func (c *cache) evict() {
	for e := c.lru.Back(); e != nil && c.lru.Len() > c.size; {
		prev := e.Prev()
		if old := e.Value.(*entry); !c.isPinned(old.commit) {
			c.lru.Remove(old.elem)
			delete(c.entries, old.commit)
		}
		e = prev
	}
}

// get returns the rendering at c, computing it with fn on a miss. Callers
// asking for the same commit at once share one computation.
func (c *cache) get(ctx context.Context, commit provenance.CommitID, fn func() *rendering) (*rendering, bool, error) {
	c.mu.Lock()
	e, ok := c.entries[commit]
	if ok {
		c.lru.MoveToFront(e.elem)
		c.mu.Unlock()
		select {
		case <-e.done:
			return e.r, true, nil
		case <-ctx.Done():
			return nil, true, ctx.Err()
		}
	}
	e = &entry{commit: commit, done: make(chan struct{})}
	e.elem = c.lru.PushFront(e)
	c.entries[commit] = e
	c.evict()
	c.mu.Unlock()
	e.r = fn()
	close(e.done)
	return e.r, false, nil
}

// forget drops c's entry (a rendering that failed for a passing reason).
func (c *cache) forget(commit provenance.CommitID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[commit]; ok {
		c.lru.Remove(e.elem)
		delete(c.entries, commit)
	}
}

// renderAt renders the source at commit c and indexes it.
func (v *View) renderAt(ctx context.Context, c provenance.CommitID) *rendering {
	start := time.Now()
	objs, err := v.renderObjects(ctx, c)
	if h := v.o.Hooks.Render; h != nil {
		h(time.Since(start), len(objs), err)
	}
	if err != nil {
		v.o.Log.Error(err, "render failed", "source", v.o.Name, "commit", c)
		return &rendering{err: err}
	}
	r := &rendering{objects: make(map[admit.Key]map[string]any, len(objs)),
		digests: make(map[admit.Key]string, len(objs)), unplaced: map[admit.Key]map[string]any{}}
	for _, u := range objs {
		k := admit.KeyOf(u)
		d, err := provenance.Digest(u.Object)
		if err != nil {
			return &rendering{err: fmt.Errorf("source %s at commit %s: %s: %w", v.o.Name, c.Short(), k, err)}
		}
		r.digests[k] = d
		if k.Namespace == "" {
			r.unplaced[k] = u.DeepCopy().Object
		}
		r.objects[k] = normalize(u, v.o.Log)
	}
	v.o.Log.V(1).Info("rendered", "source", v.o.Name, "commit", c, "objects", len(objs), "duration", time.Since(start))
	return r
}

// renderObjects reads the tree at c and renders the source's path.
func (v *View) renderObjects(ctx context.Context, c provenance.CommitID) ([]*unstructured.Unstructured, error) {
	fsys, err := v.repo.TreeFS(hashOf(c))
	if err != nil {
		return nil, fmt.Errorf("source %s: read the tree of commit %s: %w", v.o.Name, c.Short(), err)
	}
	objs, err := v.o.Render(ctx, fsys, v.o.Path)
	if err != nil {
		return nil, fmt.Errorf("source %s: render %s at commit %s: %w", v.o.Name, v.o.Path, c.Short(), err)
	}
	return objs, nil
}

// digestIn is the digest of an object rendered without a namespace, placed
// in key's namespace (as the agent places it), computed once per namespace.
func (r *rendering) digestIn(key admit.Key) (string, bool, error) {
	if d, ok := r.placed.Load(key); ok {
		return d.(string), true, nil
	}
	k := key
	k.Namespace = ""
	raw, ok := r.unplaced[k]
	if !ok || key.Namespace == "" {
		return "", false, nil
	}
	u := (&unstructured.Unstructured{Object: raw}).DeepCopy()
	u.SetNamespace(key.Namespace)
	d, err := provenance.Digest(u.Object)
	if err != nil {
		return "", false, err
	}
	r.placed.Store(key, d)
	return d, true, nil
}
