package promote

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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
// gitward.dev/commit and gitward.dev/digest annotations of the objects of
// its source.
type LiveReader struct {
	// Metadata lists object metadata (only labels and annotations are read).
	Metadata metadata.Interface
	// Mapper maps the rendered kinds to resources.
	Mapper meta.RESTMapper
	// Context names the cluster in messages.
	Context string
	// Log, when set, receives one line saying which commits the cluster
	// runs (for people: the command passes its stderr).
	Log io.Writer
}

var _ LiveSource = (*LiveReader)(nil)

// NewLiveReader connects to the cluster of a kubeconfig context
// (kubeconfig "" means KUBECONFIG or ~/.kube/config).
func NewLiveReader(kubeconfig, context string) (*LiveReader, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context})
	if err := hasContext(loader, rules, context); err != nil {
		return nil, err
	}
	cfg, err := loader.ClientConfig()
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

// hasContext fails, naming the kubeconfig files and the contexts they do
// have, when context is not one of them: client-go alone says only that
// it "does not exist".
func hasContext(loader clientcmd.ClientConfig, rules *clientcmd.ClientConfigLoadingRules, context string) error {
	raw, err := loader.RawConfig()
	if err != nil {
		return fmt.Errorf("--require-live %s: read the kubeconfig: %w", context, err)
	}
	if _, ok := raw.Contexts[context]; ok {
		return nil
	}
	files := rules.ExplicitPath
	if files == "" {
		files = strings.Join(rules.GetLoadingPrecedence(), string(filepath.ListSeparator))
	}
	known := slices.Sorted(maps.Keys(raw.Contexts))
	have := "it has none"
	if len(known) > 0 {
		have = "its contexts are " + strings.Join(known, ", ")
	}
	return fmt.Errorf("--require-live: context %q is not in the kubeconfig %s (%s); name the context of the cluster FROM runs in, or pass --kubeconfig",
		context, files, have)
}

// liveObject is one object of the source as the cluster holds it.
type liveObject struct {
	gk              schema.GroupKind
	namespaced      bool
	namespace, name string
	commit, digest  string
}

func (o liveObject) String() string {
	if o.namespace == "" {
		return o.gk.Kind + " " + o.name
	}
	return o.gk.Kind + " " + o.namespace + "/" + o.name
}

// Commit returns the commit the cluster runs: the newest (by ancestry)
// among the annotations of env's source objects. Unchanged objects keep
// the commit that last changed them, so an object at an older commit is
// fine as long as its digest is what the newest commit renders; one whose
// digest differs means a rollout in progress, and is an error, as are
// commits that are not on one line of history.
func (l *LiveReader) Commit(ctx context.Context, cfg *config.Config, env config.Environment, repo *gitrepo.Repo) (plumbing.Hash, error) {
	source, err := sourceOf(cfg, env, originURLs(repo))
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
	rendered, err := render.FS(ctx, tree, env.Path, render.Options{SkipYAML: true})
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w: render %s to know which kinds to read: %w", ErrLive, env.Name, err)
	}
	objs, err := l.list(ctx, source, rendered.Objects)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if len(objs) == 0 {
		return plumbing.ZeroHash, fmt.Errorf("%w: no object of source %s in context %s carries %s (none labelled %s=%s in any namespace; %s puts its objects in %s); "+
			"is the agent, or kubectl gitops sync --source %s, applying %s to that cluster?",
			ErrLive, source, l.Context, provenance.AnnotationCommit, provenance.LabelSource, source, env.Path, namespacesOf(rendered.Objects), source, env.Path)
	}
	r := rollout{repo: repo, env: env, source: source, context: l.Context, objects: objs}
	live, err := r.settled(ctx, l.Log)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	// What runs must be reviewed history of this branch, not a commit a
	// sync applied from another branch or one since rewritten away.
	onBranch, err := repo.IsAncestor(live, head)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w: is %s, which context %s runs, in the history of HEAD: %w", ErrLive, short(live.String()), l.Context, err)
	}
	if !onBranch {
		return plumbing.ZeroHash, fmt.Errorf("%w: context %s runs %s at %s, which is not in the history of HEAD (%s): it was applied from another branch, or the branch was rewritten since; "+
			"check out the branch that cluster follows, or get %s onto this one first",
			ErrLive, l.Context, env.Name, short(live.String()), short(head.String()), short(live.String()))
	}
	return live, nil
}

// list reads the objects of source, of the kinds the rendering has.
func (l *LiveReader) list(ctx context.Context, source string, rendered []*unstructured.Unstructured) ([]liveObject, error) {
	kinds := map[schema.GroupKind]bool{}
	for _, u := range rendered {
		kinds[u.GroupVersionKind().GroupKind()] = true
	}
	var objs []liveObject
	for _, gk := range slices.SortedFunc(maps.Keys(kinds), func(a, b schema.GroupKind) int { return strings.Compare(a.String(), b.String()) }) {
		m, err := l.Mapper.RESTMapping(gk)
		if err != nil {
			if meta.IsNoMatchError(err) {
				continue // not installed in that cluster: nothing of it runs
			}
			return nil, fmt.Errorf("%w: context %s: look up the resource of %s: %w; is that cluster reachable?", ErrLive, l.Context, gk, err)
		}
		list, err := l.Metadata.Resource(m.Resource).List(ctx, metav1.ListOptions{LabelSelector: provenance.SourceSelector(source)})
		if err != nil {
			return nil, fmt.Errorf("%w: list %s of source %s in context %s: %w", ErrLive, m.Resource.Resource, source, l.Context, err)
		}
		for _, item := range list.Items {
			o := liveObject{gk: gk, namespaced: m.Scope.Name() == meta.RESTScopeNameNamespace,
				namespace: item.GetNamespace(), name: item.GetName(),
				commit: item.GetAnnotations()[provenance.AnnotationCommit], digest: item.GetAnnotations()[provenance.AnnotationDigest]}
			if o.commit == "" {
				continue
			}
			if _, err := provenance.ParseCommit(o.commit); err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrLive, o, err)
			}
			objs = append(objs, o)
		}
	}
	return objs, nil
}

// namespacesOf names the namespaces rendered objects are in, for messages.
func namespacesOf(objs []*unstructured.Unstructured) string {
	set := map[string]bool{}
	for _, u := range objs {
		if ns := u.GetNamespace(); ns != "" {
			set[ns] = true
		}
	}
	switch names := slices.Sorted(maps.Keys(set)); len(names) {
	case 0:
		return "no particular namespace"
	case 1:
		return "namespace " + names[0]
	default:
		return "namespaces " + strings.Join(names, ", ")
	}
}
