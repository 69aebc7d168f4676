package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	corev1 "k8s.io/api/core/v1"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/memtrim"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
)

// Report is the outcome of one cycle.
type Report struct {
	Trigger  Trigger
	Head     string
	Movement string // how the head moved since the last applied commit
	Applied  int
	Pruned   int
	Failed   int
	Drifted  int
	Pending  int
	// Adopted counts the objects taken over (see apply.Result.Adopted).
	Adopted  int
	Err      error
	Duration time.Duration
	// Rendered reports that the cycle rendered the source; false when the
	// rendering of an earlier cycle was reused (see Syncer.reuse).
	Rendered bool
	// FetchTime, RenderTime and ApplyTime are the durations of the phases.
	FetchTime, RenderTime, ApplyTime time.Duration
}

// Cycle runs one sync: fetch (unless trigger is TriggerWatch), verify,
// render, apply, prune, report. It never panics on bad input; every failure
// is in Report.Err and in the status.
func (s *Syncer) Cycle(ctx context.Context, trigger Trigger) Report {
	start := time.Now()
	st := s.status
	st.Repo, st.Branch, st.Mode = s.o.Source.Repo, s.o.Source.Branch, string(s.o.Mode)
	rep := Report{Trigger: trigger}
	rep.Err = s.cycle(ctx, trigger, &st, &rep)
	rep.Duration = time.Since(start)
	if rep.Err != nil {
		st.LastError = rep.Err.Error()
		s.o.Log.Error(rep.Err, "sync cycle failed", "source", s.o.Source.Name, "trigger", trigger, "head", rep.Head)
	} else {
		st.LastError = ""
	}
	s.status = st
	if err := s.writeStatus(ctx, &st); err != nil {
		s.o.Log.Error(err, "write status", "source", s.o.Source.Name)
	}
	s.observe(rep)
	if rep.Rendered && s.o.ReleaseMemory {
		if _, err := memtrim.Release(); err != nil {
			s.o.Log.Error(err, "return memory to the operating system", "source", s.o.Source.Name)
		}
	}
	s.mu.Lock()
	fns := append([]func(Report){}, s.onCycle...)
	s.mu.Unlock()
	for _, fn := range fns {
		fn(rep)
	}
	return rep
}

func (s *Syncer) cycle(ctx context.Context, trigger Trigger, st *Status, rep *Report) error {
	s.applyTime = 0
	if trigger != TriggerWatch || s.head.IsZero() {
		fetchStart := time.Now()
		head, err := s.fetch(ctx)
		rep.FetchTime = time.Since(fetchStart)
		if err != nil {
			st.setCondition(CondFetched, false, ReasonFetchFailed, err.Error())
			st.setCondition(CondReady, false, ReasonFetchFailed, "keeping the last applied state: "+err.Error())
			if s.o.Metrics != nil {
				s.o.Metrics.FetchFailures.WithLabelValues(s.o.Source.Name).Inc()
			}
			return err
		}
		s.head = head
		st.setCondition(CondFetched, true, "Fetched", "fetched "+head.String())
	}
	head := s.head
	st.Head, rep.Head = head.String(), head.String()
	if signer, err := s.verify(head); err != nil {
		st.setCondition(CondVerified, false, ReasonSignatureInvalid, err.Error())
		st.setCondition(CondReady, false, ReasonSignatureInvalid, "not applied: "+err.Error())
		return err
	} else if signer != "" {
		st.setCondition(CondVerified, true, "Signed", "signed by "+signer)
	}
	if mv := s.movement(s.lastApplied, head); mv != "" {
		rep.Movement = mv
		typ := corev1.EventTypeNormal
		if mv != "fast-forward" {
			typ = corev1.EventTypeWarning
		}
		s.o.Log.Info("branch head moved", "source", s.o.Source.Name, "from", s.lastApplied.String(), "to", head.String(), "movement", mv)
		s.event(typ, "HeadMoved", "branch %s moved from %s to %s (%s)", s.o.Source.Branch, short(s.lastApplied), short(head), mv)
	}

	if res, ok := s.reuse(ctx, head, st, rep); ok {
		return s.afterApply(ctx, head, res, st, rep)
	}
	rep.Rendered = true
	s.last = nil
	renderStart := time.Now()
	objs, path, recorded, err := s.render(ctx, head, false)
	rep.RenderTime = time.Since(renderStart)
	st.Path = path
	if err != nil {
		st.setCondition(CondRendered, false, ReasonRenderFailed, err.Error())
		st.setCondition(CondReady, false, ReasonRenderFailed, "revision refused, previous state kept: "+err.Error())
		s.event(corev1.EventTypeWarning, ReasonRenderFailed, "commit %s refused: %v", short(head), err)
		return err
	}
	st.setCondition(CondRendered, true, "Rendered", fmt.Sprintf("%d objects at %s", len(objs), short(head)))
	res, err := s.apply(ctx, head, objs)
	objs = nil //nolint:ineffassign,wastedassign // let the rendering go before pruning
	if err != nil {
		return err
	}
	if res.Err() == nil && len(res.Pending) == 0 {
		s.last = &rendering{commit: head, path: path, deps: recorded, entries: res.Entries}
	}
	return s.afterApply(ctx, head, res, st, rep)
}

// apply records the objects in the inventory, then applies them.
func (s *Syncer) apply(ctx context.Context, head plumbing.Hash, objs []apply.Object) (*apply.Result, error) {
	inv, err := s.store.Cached(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrApply, err)
	}
	// Write ahead: an agent killed mid-apply must not forget what it applied.
	if err := s.store.Save(ctx, inventory.Union(inv, s.applier.Refs(objs))); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrApply, err)
	}
	start := time.Now()
	res, err := s.applier.Apply(ctx, provenance.CommitID(head.String()), objs)
	s.applyTime = time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrApply, err)
	}
	return res, nil
}

// afterApply reports an Apply (or an InSync) and prunes.
func (s *Syncer) afterApply(ctx context.Context, head plumbing.Hash, res *apply.Result, st *Status, rep *Report) error {
	rep.ApplyTime = s.applyTime
	inv, err := s.store.Cached(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrApply, err)
	}
	if s.watch != nil {
		s.watch.ensure(ctx, res.Resources, res.Declared)
	}
	st.LastAttemptedCommit = head.String()
	rep.Applied, rep.Failed, rep.Drifted, rep.Pending = len(res.Applied), len(res.Failed), len(res.Drifted), len(res.Pending)
	rep.Adopted = len(res.Adopted)
	st.Applied, st.Failed, st.Drifted, st.Pruned = rep.Applied, rep.Failed, rep.Drifted, 0
	st.DriftedObjects = res.Drifted
	st.FailedObjects, st.PendingObjects = nil, nil
	if len(res.Failed) > 0 {
		s.nameFiles(ctx, head, res.Failed) // before the status quotes the errors
	}
	for _, f := range res.Failed {
		st.FailedObjects = append(st.FailedObjects, f.Error())
	}
	st.FailedObjects = listed(st.FailedObjects)
	for _, p := range res.Pending {
		st.PendingObjects = append(st.PendingObjects, p.String())
	}
	st.PendingObjects = listed(st.PendingObjects)
	if len(res.Applied) > 0 {
		s.event(corev1.EventTypeNormal, "Applied", "applied %d objects at %s", len(res.Applied), short(head))
	}
	s.reportAdopted(st, res.Adopted)
	for _, d := range res.Drifted {
		s.event(corev1.EventTypeWarning, "Drift", "%s drifted (changed by %v, fields %v); corrected: %v", d.Ref, d.Managers, d.Fields, d.Corrected)
	}
	if err := res.Err(); err != nil {
		st.setCondition(CondApplied, false, ReasonApplyFailed, err.Error())
		st.setCondition(CondPruned, false, ReasonApplyFailed, "not pruned while objects fail to apply")
		st.setCondition(CondReady, false, ReasonApplyFailed, err.Error())
		s.event(corev1.EventTypeWarning, ReasonApplyFailed, "%d objects failed at %s: %v", len(res.Failed), short(head), err)
		st.Managed = len(inv)
		return fmt.Errorf("%w: %w", ErrApply, err)
	}
	msg := fmt.Sprintf("%d objects applied, %d unchanged", len(res.Applied), res.Unchanged)
	if len(res.Adopted) > 0 {
		msg += "; " + adoptedSummary(res.Adopted)
	}
	st.setCondition(CondApplied, true, "Applied", msg)

	pr, perr := s.pruner.Prune(ctx, inv, res.Declared, s.o.Source.AllowEmpty)
	if serr := s.store.Save(ctx, pr.Inventory); serr != nil && perr == nil {
		perr = serr
	}
	st.Managed = len(pr.Inventory)
	rep.Pruned, st.Pruned = len(pr.Pruned), len(pr.Pruned)
	st.PrunePending = nil
	for _, k := range pr.Kept {
		if k.Reason != inventory.ReasonUnlabeled {
			st.PrunePending = append(st.PrunePending, k.Ref.String()+": "+k.Reason)
		}
	}
	st.PrunePending = listed(st.PrunePending)
	if len(pr.Pruned) > 0 {
		s.event(corev1.EventTypeNormal, "Pruned", "pruned %d objects no longer in Git at %s", len(pr.Pruned), short(head))
	}
	for _, f := range pr.Failed {
		perr = errors.Join(perr, f)
	}
	if perr != nil {
		st.setCondition(CondPruned, false, ReasonPruneFailed, perr.Error())
		st.setCondition(CondReady, false, ReasonPruneFailed, perr.Error())
		return fmt.Errorf("%w: %w", ErrPrune, perr)
	}
	st.setCondition(CondPruned, true, "Pruned", fmt.Sprintf("%d objects pruned", len(pr.Pruned)))
	switch {
	case len(res.Pending) > 0:
		st.setCondition(CondReady, false, ReasonOutOfSync, fmt.Sprintf("detect-only: %d objects differ from Git", len(res.Pending)))
	case len(res.Drifted) > 0 && s.o.Mode == apply.ModeDetect:
		st.setCondition(CondReady, false, ReasonDrifted, fmt.Sprintf("detect-only: %d objects drifted", len(res.Drifted)))
	default:
		st.setCondition(CondReady, true, ReasonSynced, "synced at "+head.String())
	}
	if s.o.Mode == apply.ModeEnforce {
		s.lastApplied = head
		st.LastAppliedCommit = head.String()
	}
	return nil
}

// render renders the source at head. The path is the configured one, or the
// source's path in gitward.yaml at head.
//
// Origins (the file of each object) cost kustomize 10-15% more CPU, so they
// are asked for only when withOrigins is set: after a failure, to name the
// files of the failed objects (see nameFiles).
//
// It also returns the look-ups the rendering made in the tree (see depFS).
func (s *Syncer) render(ctx context.Context, head plumbing.Hash, withOrigins bool) ([]apply.Object, string, deps, error) {
	gitTree, err := s.repo.TreeFS(head)
	if err != nil {
		return nil, "", nil, fmt.Errorf("%w: %w", ErrRender, err)
	}
	tree := newDepFS(gitTree)
	path := s.o.Source.Path
	x := s.expander()
	if path == "" {
		cfg, err := config.LoadFSWith(tree, config.Options{DefaultBranch: s.o.Source.Branch})
		if err != nil {
			return nil, "", nil, fmt.Errorf("%w: %w", ErrRender, err)
		}
		src, err := cfg.Source(s.o.Source.Name)
		if err != nil {
			return nil, "", nil, fmt.Errorf("%w: %w", ErrRender, err)
		}
		path = src.Path
		x.Skip = !cfg.ExpandsAt(path)
	}
	res, err := x.FS(ctx, tree, path, render.Options{Origins: withOrigins, SkipYAML: true})
	if err != nil {
		return nil, path, nil, fmt.Errorf("%w: commit %s, path %s: %w", ErrRender, short(head), path, err)
	}
	objs := make([]apply.Object, len(res.Objects))
	for i, o := range res.Objects {
		objs[i] = apply.Object{Object: o}
		if i < len(res.Origins) {
			objs[i].File = res.Origins[i].Path
		}
	}
	return objs, path, tree.recorded(), nil
}

// observe updates the metrics.
func (s *Syncer) observe(rep Report) {
	m := s.o.Metrics
	if m == nil {
		return
	}
	src := s.o.Source.Name
	result := "success"
	if rep.Err != nil {
		result = "failure"
	} else {
		m.LastSuccess.WithLabelValues(src).SetToCurrentTime()
	}
	m.Cycles.WithLabelValues(src, string(rep.Trigger), result).Inc()
	m.CycleSeconds.WithLabelValues(src).Observe(rep.Duration.Seconds())
	m.ApplyWrites.WithLabelValues(src).Add(float64(rep.Applied))
	m.PruneDeletes.WithLabelValues(src).Add(float64(rep.Pruned))
	m.Objects.WithLabelValues(src, "managed").Set(float64(s.status.Managed))
	m.Objects.WithLabelValues(src, "applied").Set(float64(rep.Applied))
	m.Objects.WithLabelValues(src, "pruned").Set(float64(rep.Pruned))
	m.Objects.WithLabelValues(src, "failed").Set(float64(rep.Failed))
	m.Objects.WithLabelValues(src, "drifted").Set(float64(rep.Drifted))
}

func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "(none)"
	}
	return h.String()[:7]
}

// nameFiles fills in the declaring file of failed objects that have none,
// rendering head again with origins.
func (s *Syncer) nameFiles(ctx context.Context, head plumbing.Hash, failed []*apply.ObjectError) {
	objs, _, _, err := s.render(ctx, head, true)
	if err != nil {
		return
	}
	files := make(map[apply.Ref]string, len(objs))
	for _, o := range objs {
		ref := apply.RefOf(o.Object)
		files[ref] = o.File
		if ref.Namespace == "" { // a namespaced object defaulted by Apply
			ref.Namespace = apply.DefaultNamespace
			files[ref] = o.File
		}
	}
	for _, f := range failed {
		if f.File == "" {
			f.File = files[f.Ref]
		}
	}
}
