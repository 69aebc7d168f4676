package promote

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
)

// maxNamed bounds the objects one message names.
const maxNamed = 5

// rollout is what a cluster holds of one source: its objects and the
// commits they carry.
type rollout struct {
	repo            *gitrepo.Repo
	env             config.Environment
	source, context string
	objects         []liveObject
}

// settled returns the commit the cluster runs, or an error when its
// objects do not all describe one commit. It says which commits it saw on
// log (when not nil).
func (r rollout) settled(ctx context.Context, log io.Writer) (plumbing.Hash, error) {
	byCommit := map[string][]liveObject{}
	for _, o := range r.objects {
		byCommit[o.commit] = append(byCommit[o.commit], o)
	}
	newest, err := r.newest(byCommit)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	var stale []liveObject
	if len(byCommit) > 1 {
		if stale, err = r.unchangedSince(ctx, newest, byCommit); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	if log != nil {
		fmt.Fprintln(log, r.summary(newest.String(), byCommit, stale))
	}
	return newest, nil
}

// newest returns the commit every other one is an ancestor of.
func (r rollout) newest(byCommit map[string][]liveObject) (plumbing.Hash, error) {
	ids := slices.Sorted(maps.Keys(byCommit))
	hashes := make([]plumbing.Hash, len(ids))
	for i, c := range ids {
		h := plumbing.NewHash(c)
		if _, err := r.repo.Commit(h); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%w: the cluster runs %s (%s), which this checkout does not have; git fetch, then retry: %w", ErrLive, c, byCommit[c][0], err)
		}
		hashes[i] = h
	}
	for _, cand := range hashes {
		all := true
		for _, other := range hashes {
			if ok, err := r.repo.IsAncestor(other, cand); err != nil {
				return plumbing.ZeroHash, err
			} else if !ok {
				all = false
				break
			}
		}
		if all {
			return cand, nil
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("%w: the cluster runs commits that are not on one line of history (%s); wait for the agent to settle", ErrLive, strings.Join(ids, ", "))
}

// unchangedSince checks that every object at an older commit than newest
// is what newest renders (same digest): the agent leaves an unchanged
// object, and its commit annotation, alone. An object that differs means
// the rollout of newest is not finished, and is an error. It returns the
// older objects newest no longer declares (waiting to be pruned).
func (r rollout) unchangedSince(ctx context.Context, newest plumbing.Hash, byCommit map[string][]liveObject) ([]liveObject, error) {
	tree, err := r.repo.TreeFS(newest)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLive, err)
	}
	res, err := render.FS(ctx, tree, r.env.Path, render.Options{SkipYAML: true})
	if err != nil {
		return nil, fmt.Errorf("%w: render %s at %s, which the cluster runs: %w", ErrLive, r.env.Path, short(newest.String()), err)
	}
	byName := map[nameKey][]*unstructured.Unstructured{}
	for _, u := range res.Objects {
		k := nameKey{u.GroupVersionKind().GroupKind(), u.GetName()}
		byName[k] = append(byName[k], u)
	}
	var behind, stale []liveObject
	for c, objs := range byCommit {
		if c == newest.String() {
			continue
		}
		for _, o := range objs {
			u := o.match(byName[nameKey{o.gk, o.name}])
			if u == nil {
				stale = append(stale, o)
				continue
			}
			if d, err := o.digestOf(u); err != nil {
				return nil, fmt.Errorf("%w: %s at %s: %w", ErrLive, o, short(newest.String()), err)
			} else if d != o.digest {
				behind = append(behind, o)
			}
		}
	}
	if len(behind) > 0 {
		return nil, fmt.Errorf("%w: context %s is midway through rolling out %s@%s: it still runs %s, which %s renders differently; "+
			"wait for the agent to finish (or run kubectl gitops sync --source %s), then retry",
			ErrLive, r.context, r.env.Name, short(newest.String()), named(behind, true), short(newest.String()), r.source)
	}
	return stale, nil
}

// nameKey finds a rendered object by kind and name.
type nameKey struct {
	gk   schema.GroupKind
	name string
}

// match picks the rendered object o was applied from: the one in o's
// namespace, else one without a namespace (the agent gives it its default
// namespace), or any one for a cluster-scoped kind.
func (o liveObject) match(candidates []*unstructured.Unstructured) *unstructured.Unstructured {
	var unset *unstructured.Unstructured
	for _, u := range candidates {
		switch ns := u.GetNamespace(); {
		case !o.namespaced || ns == o.namespace:
			return u
		case ns == "" && unset == nil:
			unset = u
		}
	}
	return unset
}

// digestOf is the digest the agent stamps on u once it has fixed u's
// namespace to the resource's scope, as pkg/apply does.
func (o liveObject) digestOf(u *unstructured.Unstructured) (string, error) {
	u = u.DeepCopy()
	if o.namespaced {
		u.SetNamespace(o.namespace)
	} else {
		u.SetNamespace("")
	}
	return provenance.Digest(u.Object)
}

// summary says which commits the cluster runs, for people.
func (r rollout) summary(newest string, byCommit map[string][]liveObject, stale []liveObject) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Context %s runs %s@%s: %s of source %s", r.context, r.env.Name, short(newest), objects(len(r.objects)), r.source)
	if len(byCommit) == 1 {
		return b.String()
	}
	fmt.Fprintf(&b, ", %s applied at %s", objects(len(byCommit[newest])), short(newest))
	for _, c := range slices.Sorted(maps.Keys(byCommit)) {
		if c != newest {
			fmt.Fprintf(&b, "; %s unchanged since %s", named(byCommit[c], false), short(c))
		}
	}
	if len(stale) > 0 {
		fmt.Fprintf(&b, "; %s no longer declared at %s (left for pruning)", named(stale, false), short(newest))
	}
	return b.String()
}

// named lists objects for a message, the first few by name, with their
// commits when withCommit is set.
func named(objs []liveObject, withCommit bool) string {
	objs = slices.Clone(objs)
	slices.SortFunc(objs, func(a, b liveObject) int { return strings.Compare(a.String(), b.String()) })
	var parts []string
	for i, o := range objs {
		if i == maxNamed {
			parts = append(parts, fmt.Sprintf("and %d more", len(objs)-maxNamed))
			break
		}
		if withCommit {
			parts = append(parts, fmt.Sprintf("%s (at %s)", o, short(o.commit)))
		} else {
			parts = append(parts, o.String())
		}
	}
	return strings.Join(parts, ", ")
}

// objects counts objects in words.
func objects(n int) string {
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}

// short is the 7-character form of a commit id.
func short(id string) string { return provenance.CommitID(id).Short() }
