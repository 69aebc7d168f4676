package agent

import (
	"context"
	"sync"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/metadata"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/provenance"
)

// watchRestartDelay is the pause before a failed watch is restarted.
const watchRestartDelay = time.Second

// watcher watches, metadata-only, the managed objects of each resource a
// source uses and calls onChange when one of them is changed by a field
// manager other than gitward (outside the status subresource) or deleted.
// It caches nothing: no informer, no object store.
type watcher struct {
	md       metadata.Interface
	source   string
	log      logr.Logger
	onChange func()

	mu      sync.Mutex
	running map[schema.GroupVersionResource]context.CancelFunc
}

func newWatcher(md metadata.Interface, source string, log logr.Logger, onChange func()) *watcher {
	return &watcher{md: md, source: source, log: log, onChange: onChange,
		running: map[schema.GroupVersionResource]context.CancelFunc{}}
}

// ensure starts a watch for every resource not watched yet.
func (w *watcher) ensure(ctx context.Context, resources []apply.Resource, _ []apply.Ref) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range resources {
		if _, ok := w.running[r.GVR]; ok {
			continue
		}
		wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		w.running[r.GVR] = cancel
		go w.run(wctx, r.GVR)
	}
}

func (w *watcher) stopAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for gvr, cancel := range w.running {
		cancel()
		delete(w.running, gvr)
	}
}

// run keeps one watch open, restarting it from a fresh resource version
// when it ends.
func (w *watcher) run(ctx context.Context, gvr schema.GroupVersionResource) {
	sel := provenance.SourceSelector(w.source)
	ri := w.md.Resource(gvr)
	for ctx.Err() == nil {
		list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: sel, Limit: 1})
		if err != nil {
			w.log.V(1).Info("watch: list failed", "resource", gvr.String(), "error", err.Error())
			sleep(ctx, watchRestartDelay)
			continue
		}
		wi, err := ri.Watch(ctx, metav1.ListOptions{LabelSelector: sel, ResourceVersion: list.ResourceVersion})
		if err != nil {
			sleep(ctx, watchRestartDelay)
			continue
		}
		w.consume(wi)
		wi.Stop()
	}
}

func (w *watcher) consume(wi watch.Interface) {
	for ev := range wi.ResultChan() {
		switch ev.Type {
		case watch.Error:
			return
		case watch.Deleted:
			w.onChange()
		case watch.Modified:
			if o, ok := ev.Object.(*metav1.PartialObjectMetadata); ok && changedByOther(o.ManagedFields) {
				w.onChange()
			}
		}
	}
}

// changedByOther reports whether the most recent managed-fields entry
// outside status belongs to a manager other than gitward.
func changedByOther(entries []metav1.ManagedFieldsEntry) bool {
	var latest *metav1.ManagedFieldsEntry
	for i := range entries {
		e := &entries[i]
		if e.Subresource == "status" || e.Time == nil {
			continue
		}
		if latest == nil || !e.Time.Before(latest.Time) {
			latest = e
		}
	}
	return latest != nil && latest.Manager != provenance.FieldManager
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
