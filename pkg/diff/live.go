package diff

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"

	"github.com/gitward/gitward/pkg/provenance"
)

// DefaultConcurrency bounds the requests Live has in flight.
const DefaultConcurrency = 16

// Sentinel errors of Live, wrapped with the object they concern.
var (
	// ErrUnknownKind: the cluster serves no resource for the object's kind.
	ErrUnknownKind = errors.New("the cluster does not serve this kind")
	// ErrInvalidObject: an object without kind, apiVersion or name.
	ErrInvalidObject = errors.New("invalid object")
	// ErrDuplicate: two desired objects with the same key.
	ErrDuplicate = errors.New("object declared twice")
)

// LiveOptions configures Live.
type LiveOptions struct {
	// Dynamic reads live objects and dry-runs applies. Required.
	Dynamic dynamic.Interface
	// Mapper maps kinds to resources. Required.
	Mapper meta.RESTMapper
	// Source names the source the desired objects belong to. When set, the
	// desired objects are stamped with its contract like the agent stamps
	// them, and live objects labelled for it that are not desired are
	// reported as deletions (prune).
	Source string
	// Commit is the commit stamped on changed and created objects when
	// Source is set; "" keeps the live object's commit annotation.
	Commit provenance.CommitID
	// InferSource, when Source is empty, takes the source from the live
	// objects: when the desired objects that exist carry one source label
	// between them, the objects labelled for it that are not desired are
	// reported as deletions (the desired objects are compared as without
	// Source). Result.PruneSource names the source found.
	InferSource bool
	// Metadata and Discovery find the objects to prune; required with
	// Source or InferSource.
	Metadata  metadata.Interface
	Discovery discovery.ServerResourcesInterface
	// DefaultNamespace is set on namespaced objects without one; default
	// "default".
	DefaultNamespace string
	// FieldManager of the dry-run apply; default provenance.FieldManager.
	FieldManager string
	// Concurrency bounds the requests in flight; default DefaultConcurrency.
	Concurrency int
	// Diff configures the comparison (Masker, context lines, labels).
	Diff Options
	// Progress, when set, is called after each phase step with the work done
	// and the total (for a progress line on a terminal).
	Progress func(phase string, done, total int)
}

func (o *LiveOptions) complete() error {
	if o.DefaultNamespace == "" {
		o.DefaultNamespace = "default"
	}
	if o.FieldManager == "" {
		o.FieldManager = provenance.FieldManager
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Diff.BeforeLabel == "" {
		o.Diff.BeforeLabel = "live"
	}
	if o.Diff.AfterLabel == "" {
		o.Diff.AfterLabel = "git"
	}
	if o.Progress == nil {
		o.Progress = func(string, int, int) {}
	}
	return o.Diff.complete()
}

func (o *LiveOptions) validate() error {
	var errs []error
	if o.Dynamic == nil {
		errs = append(errs, errors.New("diff: LiveOptions.Dynamic is required"))
	}
	if o.Mapper == nil {
		errs = append(errs, errors.New("diff: LiveOptions.Mapper is required"))
	}
	if o.Source != "" {
		if err := provenance.ValidateSource(o.Source); err != nil {
			errs = append(errs, fmt.Errorf("diff: LiveOptions.Source: %w", err))
		}
		if o.Metadata == nil || o.Discovery == nil {
			errs = append(errs, errors.New("diff: LiveOptions.Metadata and Discovery are required with Source"))
		}
	}
	if o.Commit != "" {
		if _, err := provenance.ParseCommit(string(o.Commit)); err != nil {
			errs = append(errs, fmt.Errorf("diff: LiveOptions.Commit: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Live compares the desired objects with the cluster, like `kubectl diff`:
// each changed object's diff is between the live object and the result of a
// server-side dry-run apply of the desired one (field manager gitward,
// forcing conflicts). It lists each kind once per namespace, dry-runs only
// objects whose declared fields differ from the live ones (or whose digest
// annotation differs), and with Source also reports the objects that would
// be pruned. Desired objects are not modified.
func Live(ctx context.Context, desired []*unstructured.Unstructured, o LiveOptions) (*Result, error) {
	if err := o.complete(); err != nil {
		return nil, err
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	items, err := plan(desired, &o)
	if err != nil {
		return nil, err
	}
	if err := listLive(ctx, items, &o); err != nil {
		return nil, err
	}
	res, err := compareItems(ctx, items, &o)
	if err != nil {
		return nil, err
	}
	po := o
	if po.Source == "" && o.InferSource && o.Metadata != nil && o.Discovery != nil {
		po.Source, res.AmbiguousSources = inferSource(items)
	}
	if po.Source != "" {
		pruned, err := prunable(ctx, items, &po)
		if err != nil {
			return nil, err
		}
		res.Add(pruned)
		res.PruneSource = po.Source
	}
	return res, nil
}

// inferSource returns the one source label the live objects of items carry,
// or "" and every label found when they carry none or several.
func inferSource(items []*item) (string, []string) {
	seen := map[string]bool{}
	var all []string
	for _, it := range items {
		if it.live == nil {
			continue
		}
		if s, ok := provenance.SourceOf(it.live); ok && !seen[s] {
			seen[s] = true
			all = append(all, s)
		}
	}
	if len(all) == 1 {
		return all[0], nil
	}
	sort.Strings(all)
	return "", all
}
