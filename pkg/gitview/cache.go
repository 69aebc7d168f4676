package gitview

import (
	"container/list"
	"context"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/provenance"
)

// rendering is Git's rendering of the source at one commit.
type rendering struct {
	objects map[admit.Key]map[string]any
	err     error
}

// entry is a cache slot; done is closed when the rendering is ready.
type entry struct {
	commit provenance.CommitID
	done   chan struct{}
	r      *rendering
	elem   *list.Element
}

// cache is a bounded LRU of renderings, with one rendering in flight per
// commit.
type cache struct {
	mu      sync.Mutex
	size    int
	entries map[provenance.CommitID]*entry
	lru     *list.List // front: most recent
}

func newCache(size int) *cache {
	return &cache{size: size, entries: map[provenance.CommitID]*entry{}, lru: list.New()}
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
	for c.lru.Len() > c.size {
		old := c.lru.Back().Value.(*entry)
		c.lru.Remove(old.elem)
		delete(c.entries, old.commit)
	}
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
	r := &rendering{objects: make(map[admit.Key]map[string]any, len(objs))}
	for _, u := range objs {
		normalize(u)
		r.objects[admit.KeyOf(u)] = u.Object
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

// normalize makes a rendered object look as the API server returns it where
// the difference is a conversion, not a change: a Secret's stringData is
// folded into data.
func normalize(u *unstructured.Unstructured) {
	if u.GetAPIVersion() != "v1" || u.GetKind() != "Secret" {
		return
	}
	sd, ok := u.Object["stringData"].(map[string]any)
	if !ok {
		return
	}
	data, _ := u.Object["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range sd {
		if s, ok := v.(string); ok {
			data[k] = base64.StdEncoding.EncodeToString([]byte(s))
		}
	}
	u.Object["data"] = data
	delete(u.Object, "stringData")
}
