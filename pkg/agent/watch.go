package agent

import (
	"context"
	"sync"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/metadata"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/provenance"
)

// watchRestartDelay is the first pause before a failed watch is
// restarted; it doubles on each failure in a row, up to maxWatchRestartDelay.
const (
	watchRestartDelay    = time.Second
	maxWatchRestartDelay = 30 * time.Second
)

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
	running map[schema.GroupVersionResource]*watchEntry
}

// watchEntry is one running watch; run removes its own entry, not a newer
// one for the same resource, when the resource is no longer served.
type watchEntry struct{ cancel context.CancelFunc }

func newWatcher(md metadata.Interface, source string, log logr.Logger, onChange func()) *watcher {
	return &watcher{md: md, source: source, log: log, onChange: onChange,
		running: map[schema.GroupVersionResource]*watchEntry{}}
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
		e := &watchEntry{cancel: cancel}
		w.running[r.GVR] = e
		go w.run(wctx, r.GVR, e)
	}
}

func (w *watcher) stopAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for gvr, e := range w.running {
		e.cancel()
		delete(w.running, gvr)
	}
}

// run keeps one watch open, restarting it from a fresh resource version
// when it ends, with a growing pause while it keeps failing. A resource the
// server no longer serves (its CRD deleted) ends the watch; the next cycle
// that applies objects of it starts a new one.
func (w *watcher) run(ctx context.Context, gvr schema.GroupVersionResource, e *watchEntry) {
	sel := provenance.SourceSelector(w.source)
	ri := w.md.Resource(gvr)
	delay := watchRestartDelay
	for ctx.Err() == nil {
		list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: sel, Limit: 1})
		if apierrors.IsNotFound(err) {
			w.log.V(1).Info("watch: resource not served, watch ended", "resource", gvr.String())
			w.forget(gvr, e)
			return
		}
		if err == nil {
			var wi watch.Interface
			if wi, err = ri.Watch(ctx, metav1.ListOptions{LabelSelector: sel, ResourceVersion: list.ResourceVersion}); err == nil {
				delay = watchRestartDelay
				w.consume(wi)
				wi.Stop()
				continue
			}
		}
		w.log.V(1).Info("watch: restart failed", "resource", gvr.String(), "error", err.Error(), "retryIn", delay.String())
		sleep(ctx, delay)
		delay = min(2*delay, maxWatchRestartDelay)
	}
}

// forget removes e, if it is still the watch of gvr.
func (w *watcher) forget(gvr schema.GroupVersionResource, e *watchEntry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running[gvr] == e {
		e.cancel()
		delete(w.running, gvr)
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
