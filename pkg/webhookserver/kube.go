package webhookserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/provenance"
)

// DynamicParents reads parent objects with a dynamic client.
type DynamicParents struct{ Client dynamic.Interface }

var _ ParentReader = DynamicParents{}

// Get implements ParentReader.
func (p DynamicParents) Get(ctx context.Context, gvr schema.GroupVersionResource, ns, name string) (*unstructured.Unstructured, error) {
	return p.Client.Resource(gvr).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
}

// NamespaceIndex tells which source manages a namespace: its source label
// (watched through an informer restricted to labelled namespaces) or a
// static list.
type NamespaceIndex struct {
	lister corelisters.NamespaceLister
	synced func() bool
	static map[string]string
}

var _ admit.Namespaces = (*NamespaceIndex)(nil)

// ErrNotSynced is returned until the namespace informer has synced.
var ErrNotSynced = errors.New("the namespace cache has not synced yet")

// NewNamespaceIndex starts an informer on namespaces carrying the source
// label; it stops with ctx.
func NewNamespaceIndex(ctx context.Context, c kubernetes.Interface, static map[string]string) *NamespaceIndex {
	f := informers.NewSharedInformerFactoryWithOptions(c, 10*time.Minute,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = provenance.LabelSource }))
	inf := f.Core().V1().Namespaces()
	n := &NamespaceIndex{lister: inf.Lister(), synced: inf.Informer().HasSynced, static: static}
	f.Start(ctx.Done())
	return n
}

// SourceOf implements admit.Namespaces.
func (n *NamespaceIndex) SourceOf(_ context.Context, ns string) (string, bool, error) {
	if s, ok := n.static[ns]; ok {
		return s, true, nil
	}
	if !n.synced() {
		return "", false, ErrNotSynced
	}
	obj, err := n.lister.Get(ns)
	if apierrors.IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("namespace %s: %w", ns, err)
	}
	s, ok := obj.Labels[provenance.LabelSource]
	return s, ok, nil
}

// Synced reports whether the informer has synced.
func (n *NamespaceIndex) Synced() bool { return n.synced() }

// KubeEvents records break-glass Events with the core/v1 Events API.
type KubeEvents struct {
	Client kubernetes.Interface
	// Component is the Event's source component ("gitward-webhook").
	Component string
}

var _ EventRecorder = KubeEvents{}

// BreakGlass implements EventRecorder. It never blocks the admission: the
// Event is written in the background within 5 seconds.
func (e KubeEvents) BreakGlass(_ context.Context, obj *unstructured.Unstructured, key admit.Key, user, message string) {
	ns := key.Namespace
	if ns == "" {
		ns = metav1.NamespaceDefault
	}
	ref := corev1.ObjectReference{Kind: key.Kind, Namespace: key.Namespace, Name: key.Name}
	if obj != nil {
		ref.APIVersion, ref.UID, ref.ResourceVersion = obj.GetAPIVersion(), obj.GetUID(), obj.GetResourceVersion()
	}
	now := metav1.Now()
	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: "gitward-break-glass-", Namespace: ns},
		InvolvedObject: ref,
		Reason:         "BreakGlass",
		Message:        truncate(user+" used break-glass: "+message, 1024),
		Type:           corev1.EventTypeWarning,
		Source:         corev1.EventSource{Component: e.Component},
		FirstTimestamp: now, LastTimestamp: now, Count: 1,
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = e.Client.CoreV1().Events(ns).Create(ctx, ev, metav1.CreateOptions{})
	}()
}

// truncate cuts s to at most n bytes.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
