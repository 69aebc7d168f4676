package promote

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
)

// LiveReader finds the commit an environment's cluster runs from the
// gitward.dev/commit annotations of the objects of its source.
type LiveReader struct {
	// Metadata lists object metadata (only labels and annotations are read).
	Metadata metadata.Interface
	// Mapper maps the rendered kinds to resources.
	Mapper meta.RESTMapper
	// Context names the cluster in messages.
	Context string
}

var _ LiveSource = (*LiveReader)(nil)

// NewLiveReader connects to the cluster of a kubeconfig context
// (kubeconfig "" means KUBECONFIG or ~/.kube/config).
func NewLiveReader(kubeconfig, context string) (*LiveReader, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("--require-live %s: %w", context, err)
	}
	md, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("--require-live %s: %w", context, err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("--require-live %s: %w", context, err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	return &LiveReader{Metadata: md, Mapper: mapper, Context: context}, nil
}

// Commit returns the newest commit (by ancestry) among the annotations of
// env's source objects. Unchanged objects keep the commit that last
// changed them, so the newest is what the cluster runs; commits that are
// not on one line of history are an error.
func (l *LiveReader) Commit(ctx context.Context, cfg *config.Config, env config.Environment, repo *gitrepo.Repo) (plumbing.Hash, error) {
	source, err := sourceOf(cfg, env)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	head, err := repo.Resolve("HEAD")
	if err != nil {
		return plumbing.ZeroHash, err
	}
	tree, err := repo.TreeFS(head)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	rendered, err := render.FS(ctx, tree, env.Path, render.Options{})
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w: render %s to know which kinds to read: %w", ErrLive, env.Name, err)
	}
	kinds := map[schema.GroupKind]bool{}
	for _, u := range rendered.Objects {
		kinds[u.GroupVersionKind().GroupKind()] = true
	}
	commits := map[string]string{} // commit → an object carrying it
	for gk := range kinds {
		m, err := l.Mapper.RESTMapping(gk)
		if err != nil {
			if meta.IsNoMatchError(err) {
				continue // not installed in that cluster: nothing of it runs
			}
			return plumbing.ZeroHash, fmt.Errorf("%w: %s in context %s: %w", ErrLive, gk, l.Context, err)
		}
		list, err := l.Metadata.Resource(m.Resource).List(ctx, metav1.ListOptions{LabelSelector: provenance.SourceSelector(source)})
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%w: list %s of source %s in context %s: %w", ErrLive, m.Resource.Resource, source, l.Context, err)
		}
		for _, item := range list.Items {
			c := item.GetAnnotations()[provenance.AnnotationCommit]
			if c == "" {
				continue
			}
			if _, err := provenance.ParseCommit(c); err != nil {
				return plumbing.ZeroHash, fmt.Errorf("%w: %s %s/%s: %w", ErrLive, gk.Kind, item.GetNamespace(), item.GetName(), err)
			}
			commits[c] = fmt.Sprintf("%s %s/%s", gk.Kind, item.GetNamespace(), item.GetName())
		}
	}
	if len(commits) == 0 {
		return plumbing.ZeroHash, fmt.Errorf("%w: no object of source %s in context %s carries %s; is the agent syncing %s there?",
			ErrLive, source, l.Context, provenance.AnnotationCommit, env.Path)
	}
	return newest(repo, commits)
}

// sourceOf returns the name of the source that tracks env's folder.
func sourceOf(cfg *config.Config, env config.Environment) (string, error) {
	var names []string
	for _, s := range cfg.Sources {
		if s.Path == env.Path && s.Repo == "" {
			if s.Name == env.Name {
				return s.Name, nil
			}
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 {
		return "", fmt.Errorf("%w: no source of %s tracks %s; add one to gitward.yaml", ErrLive, config.FileName, env.Path)
	}
	return names[0], nil
}

// newest returns the commit every other one is an ancestor of.
func newest(repo *gitrepo.Repo, commits map[string]string) (plumbing.Hash, error) {
	ids := make([]string, 0, len(commits))
	for c := range commits {
		ids = append(ids, c)
	}
	slices.Sort(ids)
	hashes := make([]plumbing.Hash, len(ids))
	for i, c := range ids {
		h := plumbing.NewHash(c)
		if _, err := repo.Commit(h); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%w: the cluster runs %s (%s), which this checkout does not have; git fetch, then retry: %w", ErrLive, c, commits[c], err)
		}
		hashes[i] = h
	}
	for _, cand := range hashes {
		all := true
		for _, other := range hashes {
			if ok, err := repo.IsAncestor(other, cand); err != nil {
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
