package agent

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	metadatafake "k8s.io/client-go/metadata/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/gitward/gitward/pkg/apply"
)

// A watch on a resource the server stops serving (its CRD deleted) ends
// and forgets itself, instead of listing once a second for ever; the next
// cycle that uses the resource starts a new one.
func TestWatcherEndsWhenResourceIsNotServed(t *testing.T) {
	gvr := schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}
	md := metadatafake.NewSimpleMetadataClient(runtime.NewScheme())
	var lists atomic.Int32
	md.PrependReactor("list", "widgets", func(clienttesting.Action) (bool, runtime.Object, error) {
		lists.Add(1)
		return true, nil, apierrors.NewNotFound(gvr.GroupResource(), "")
	})
	w := newWatcher(md, "shop", logr.Discard(), func() {})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer w.stopAll()

	w.ensure(ctx, []apply.Resource{{GVR: gvr}}, nil)
	waitFor(t, func() bool { return !w.watching(gvr) })
	if n := lists.Load(); n != 1 {
		t.Errorf("listed %d times, want 1", n)
	}
	w.ensure(ctx, []apply.Resource{{GVR: gvr}}, nil)
	waitFor(t, func() bool { return lists.Load() == 2 && !w.watching(gvr) })
}

func (w *watcher) watching(gvr schema.GroupVersionResource) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.running[gvr]
	return ok
}

// waitFor polls cond; the bound only keeps a broken test from hanging.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached")
}
