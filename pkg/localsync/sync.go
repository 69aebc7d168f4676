package localsync

import (
	"context"
	"errors"
	"fmt"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/inventory"
)

// ErrApplyFailed: some objects failed to apply; nothing was pruned.
var ErrApplyFailed = errors.New("objects failed to apply")

// SyncOptions configures Sync.
type SyncOptions struct {
	// Applier applies for the plan's source. Required.
	Applier *apply.Applier
	// Store, when set, records what the sync applied (the union of the
	// old inventory and the plan's objects), with or without Prune, so a
	// later prune knows every object a sync applied.
	Store inventory.Store
	// Prune deletes objects of the source that Git no longer declares;
	// it needs Store and Pruner.
	Prune  bool
	Pruner *inventory.Pruner
	// Labelled, with Prune, lists the live objects labelled for the source
	// that no controller owns; they join the inventory before pruning, so
	// that prune deletes what `sync --dry-run --prune` lists even for
	// objects applied before the inventory was recorded.
	Labelled func(ctx context.Context) ([]apply.Ref, error)
	// AllowEmpty lets an empty rendering prune every object of the source.
	AllowEmpty bool
}

// Report is what Sync did.
type Report struct {
	Source string
	Commit string
	Apply  *apply.Result
	// Prune is nil when pruning was not asked for or did not run.
	Prune *inventory.PruneResult
}

// Sync applies p. With a Store it first records the union of the inventory
// and the plan's objects (so that a sync killed midway forgets nothing);
// with Prune it prunes only when every object applied.
func Sync(ctx context.Context, p *Plan, o SyncOptions) (*Report, error) {
	if o.Applier == nil {
		return nil, errors.New("localsync: SyncOptions.Applier is required")
	}
	if o.Prune && (o.Store == nil || o.Pruner == nil) {
		return nil, errors.New("localsync: SyncOptions.Store and Pruner are required with Prune")
	}
	rep := &Report{Source: p.Source, Commit: string(p.Commit)}
	var inv inventory.Set
	if o.Store != nil {
		var err error
		if inv, err = o.Store.Load(ctx); err != nil {
			return rep, fmt.Errorf("sync %s: %w", p.Source, err)
		}
		if o.Prune && o.Labelled != nil {
			found, err := o.Labelled(ctx)
			if err != nil {
				return rep, fmt.Errorf("sync %s: %w", p.Source, err)
			}
			inv = inventory.Union(inv, found)
		}
		if err := o.Store.Save(ctx, inventory.Union(inv, o.Applier.Refs(p.Objects))); err != nil {
			return rep, fmt.Errorf("sync %s: %w", p.Source, err)
		}
	}
	res, err := o.Applier.Apply(ctx, p.Commit, p.Objects)
	rep.Apply = res
	if err != nil {
		return rep, fmt.Errorf("sync %s at %s: %w", p.Source, p.Commit.Short(), err)
	}
	if err := res.Err(); err != nil {
		msg := ""
		if o.Prune {
			msg = "; nothing was pruned"
		}
		return rep, fmt.Errorf("sync %s at %s: %w (%d)%s: %w", p.Source, p.Commit.Short(), ErrApplyFailed, len(res.Failed), msg, err)
	}
	if !o.Prune {
		return rep, nil
	}
	pr, perr := o.Pruner.Prune(ctx, inv, res.Declared, o.AllowEmpty)
	rep.Prune = pr
	if pr != nil {
		if serr := o.Store.Save(ctx, pr.Inventory); serr != nil {
			perr = errors.Join(perr, serr)
		}
		for _, f := range pr.Failed {
			perr = errors.Join(perr, f)
		}
	}
	if perr != nil {
		return rep, fmt.Errorf("sync %s at %s: prune: %w", p.Source, p.Commit.Short(), perr)
	}
	return rep, nil
}
