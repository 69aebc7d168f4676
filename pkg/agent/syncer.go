package agent

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/inventory"
)

// Trigger says why a cycle runs.
type Trigger string

// Triggers of a cycle.
const (
	TriggerStart    Trigger = "start"
	TriggerInterval Trigger = "interval"
	TriggerRetry    Trigger = "retry"
	TriggerWebhook  Trigger = "webhook"
	TriggerWatch    Trigger = "watch" // self-heal: no fetch
)

// Syncer syncs one source. Run drives it; Trigger asks for a cycle.
type Syncer struct {
	o        Options
	dyn      dynamic.Interface
	meta     metadata.Interface
	applier  *apply.Applier
	pruner   *inventory.Pruner
	store    *inventory.RecordStore
	triggers chan Trigger
	watch    *watcher

	// State of the loop; only the Run goroutine touches it.
	repo        *gitrepo.Repo
	head        plumbing.Hash
	lastApplied plumbing.Hash
	status      Status
	lastStatus  []byte
	failures    int
	last        *rendering    // the last successful rendering, without its objects
	applyTime   time.Duration // of the current cycle's Apply

	mu       sync.Mutex
	onCycle  []func(Report)
	debounce *time.Timer
}

// New returns a Syncer for o.
func New(o Options) (*Syncer, error) {
	o.Complete()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	cfg := rest.CopyConfig(o.Config)
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	md, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	a, err := apply.ForConfig(cfg, apply.Options{
		Dynamic: dyn, Metadata: md, Source: o.Source.Name, Force: o.Force, Mode: o.Mode,
		Concurrency: o.Concurrency, Namespaces: o.Namespaces, Ignore: o.Ignore, Controllers: o.Controllers,
	})
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	p, err := inventory.NewPruner(inventory.PrunerOptions{
		Metadata: md, Mapper: a.Options().Mapper, Discovery: disc, Source: o.Source.Name, Mode: o.Mode,
	})
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	s := &Syncer{
		o: o, dyn: dyn, meta: md, applier: a, pruner: p,
		store:    &inventory.RecordStore{Client: dyn, Namespace: o.Namespace, Source: o.Source.Name},
		triggers: make(chan Trigger, 1),
	}
	if o.Watch {
		s.watch = newWatcher(md, o.Source.Name, o.Log, s.requestHeal)
	}
	return s, nil
}

// OnCycle registers fn to be called after every cycle (for tests and
// benchmarks).
func (s *Syncer) OnCycle(fn func(Report)) {
	s.mu.Lock()
	s.onCycle = append(s.onCycle, fn)
	s.mu.Unlock()
}

// Trigger asks for a cycle; it never blocks, and triggers that arrive while
// one is pending are merged.
func (s *Syncer) Trigger(t Trigger) {
	select {
	case s.triggers <- t:
	default:
	}
}

// requestHeal starts, or restarts, the debounce timer of a self-heal cycle.
func (s *Syncer) requestHeal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.debounce != nil {
		s.debounce.Stop()
	}
	s.debounce = time.AfterFunc(s.o.Debounce, func() { s.Trigger(TriggerWatch) })
}

// Run syncs until ctx ends: a cycle at once, then on the interval, on
// Trigger and on watch events; after a failed cycle it retries with an
// exponential back-off capped at the interval.
func (s *Syncer) Run(ctx context.Context) error {
	if s.watch != nil {
		defer s.watch.stopAll()
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	next := TriggerStart
	for {
		var t Trigger
		select {
		case <-ctx.Done():
			return nil
		case t = <-s.triggers:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		case <-timer.C:
			t = next
		}
		rep := s.Cycle(ctx, t)
		if ctx.Err() != nil {
			return nil
		}
		delay := s.o.Interval
		next = TriggerInterval
		if rep.Err != nil {
			s.failures++
			delay = backoff(s.failures, s.o.RetryBase, s.o.Interval)
			next = TriggerRetry
		} else {
			s.failures = 0
		}
		timer.Reset(delay)
	}
}

// objectRef is the SourceState the Events are about.
func (s *Syncer) objectRef() *corev1.ObjectReference {
	return &corev1.ObjectReference{
		APIVersion: inventory.GVR.GroupVersion().String(), Kind: inventory.Kind,
		Namespace: s.o.Namespace, Name: s.o.Source.Name,
	}
}

func (s *Syncer) event(typ, reason, format string, args ...any) {
	if s.o.Recorder != nil {
		s.o.Recorder.Eventf(s.objectRef(), typ, reason, format, args...)
	}
}

// backoff is the delay after the n-th consecutive failure: base doubled
// n-1 times, at most max.
func backoff(n int, base, max time.Duration) time.Duration {
	if n < 1 {
		n = 1
	}
	d := base << min(n-1, 30)
	if d <= 0 || d > max {
		return max
	}
	return d
}
