package cmd

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/localsync"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/sourcestatus"
)

// Run prepares the source, then shows (--dry-run) or applies it.
func (o *SyncOptions) Run(ctx context.Context) error {
	plan, err := localsync.Prepare(ctx, localsync.Options{
		Source: o.Source, Folder: o.Folder, AllowDirty: o.AllowDirty, AllowRemote: o.AllowRemote,
	})
	if err != nil {
		return err
	}
	if !o.AllowPlaintext {
		if err := plan.PlaintextSecrets(); err != nil {
			return err
		}
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(o.ErrOut, "warning: %s\n", w)
	}
	if o.DryRun {
		return o.dryRun(ctx, plan)
	}
	a, err := apply.New(apply.Options{Dynamic: o.Dynamic, Metadata: o.Metadata, Mapper: o.Mapper, Source: plan.Source,
		FieldManager: provenance.SyncFieldManager, Force: o.Force, Concurrency: o.Concurrency, DefaultNamespace: o.Namespace})
	if err != nil {
		return err
	}
	so := localsync.SyncOptions{Applier: a, Prune: o.Prune, AllowEmpty: o.AllowEmpty}
	// Every sync records what it applied, so that a later --prune (or the
	// agent) knows it; without the agent's CRD only --prune insists.
	switch err := o.checkInventory(ctx); {
	case err == nil:
		so.Store = &inventory.RecordStore{Client: o.Dynamic, Namespace: o.AgentNamespace, Source: plan.Source}
	case o.Prune:
		return err
	default:
		fmt.Fprintf(o.ErrOut, "warning: the inventory is not recorded (%v); a later --prune finds these objects by their label only\n", err)
	}
	if o.Prune {
		if so.Pruner, err = inventory.NewPruner(inventory.PrunerOptions{Metadata: o.Metadata, Mapper: o.Mapper,
			Discovery: o.pruneDiscovery(), Source: plan.Source}); err != nil {
			return err
		}
		so.Labelled = func(ctx context.Context) ([]apply.Ref, error) {
			found, err := inventory.ListLabelled(ctx, inventory.ListOptions{Metadata: o.Metadata, Discovery: o.Discovery, Source: plan.Source})
			return inventory.Refs(found), err
		}
	}
	fmt.Fprintf(o.ErrOut, "sync %s (%s) at %s %q\n", plan.Source, plan.Path, plan.Commit.Short(), plan.Subject)
	rep, err := localsync.Sync(ctx, plan, so)
	if err == nil && so.Store != nil {
		// status then shows this commit as applied, until the agent's next cycle.
		if rerr := sourcestatus.RecordSync(ctx, o.Dynamic, o.AgentNamespace, plan.Source, string(plan.Commit), time.Now()); rerr != nil {
			fmt.Fprintf(o.ErrOut, "warning: %v\n", rerr)
		}
	}
	if rep != nil {
		if werr := rep.WriteText(o.Out); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// checkInventory says what to do when the agent's CRD or namespace is missing.
func (o *SyncOptions) checkInventory(ctx context.Context) error {
	_, err := o.Dynamic.Resource(inventory.GVR).Namespace(o.AgentNamespace).List(ctx, metav1.ListOptions{Limit: 1})
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("sync keeps the inventory in a %s in namespace %s, and the cluster does not serve %s: install the agent first (kubectl gitops install --apply)",
			inventory.Kind, o.AgentNamespace, inventory.GVR.GroupResource())
	}
	if err != nil {
		return fmt.Errorf("read the inventory in namespace %s: %w", o.AgentNamespace, err)
	}
	nsGVR := schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	if _, err := o.Dynamic.Resource(nsGVR).Get(ctx, o.AgentNamespace, metav1.GetOptions{}); apierrors.IsNotFound(err) {
		return fmt.Errorf("sync keeps the inventory in namespace %s, which does not exist: install the agent first (kubectl gitops install --apply), or name its namespace with --agent-namespace",
			o.AgentNamespace)
	}
	return nil
}

// dryRun prints how the cluster differs from the plan; objects the source
// labels that Git no longer declares are shown only with --prune.
func (o *SyncOptions) dryRun(ctx context.Context, plan *localsync.Plan) error {
	desired := make([]*unstructured.Unstructured, len(plan.Objects))
	for i, obj := range plan.Objects {
		desired[i] = obj.Object
	}
	res, err := diff.Live(ctx, desired, diff.LiveOptions{
		Dynamic: o.Dynamic, Mapper: o.Mapper, Metadata: o.Metadata, Discovery: o.Discovery,
		Source: plan.Source, Commit: plan.Commit, DefaultNamespace: o.Namespace,
		Diff: diff.Options{Masker: o.Masker},
	})
	if err != nil {
		return fmt.Errorf("sync %s --dry-run: %w", plan.Source, err)
	}
	if !o.Prune {
		kept := res.Objects[:0]
		for _, d := range res.Objects {
			if d.Action != diff.Delete {
				kept = append(kept, d)
			}
		}
		res.Objects = kept
	}
	fmt.Fprintf(o.ErrOut, "dry run: sync %s (%s) at %s %q would change %d objects\n",
		plan.Source, plan.Path, plan.Commit.Short(), plan.Subject, len(res.Objects))
	if o.Summary {
		return res.WriteSummary(o.Out)
	}
	return res.WriteText(o.Out, diff.TextOptions{})
}

// pruneDiscovery is the discovery the pruner asks whether a kind it cannot
// map is gone for good (its CRD deleted, so its inventory entries can go).
// That answer must come from the server, not from kubectl's discovery cache
// on disk, which can be hours old. Without a discovery client the pruner
// keeps such entries, which is safe.
func (o *SyncOptions) pruneDiscovery() inventory.Discovery {
	d, ok := o.Discovery.(discovery.CachedDiscoveryInterface)
	if !ok {
		return nil
	}
	d.Invalidate()
	return d
}
