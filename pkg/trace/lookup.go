package trace

import (
	"context"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// Sentinel errors of Lookup.
var (
	// ErrBadArgument: the argument is not KIND/NAME.
	ErrBadArgument = errors.New("want KIND/NAME, e.g. deployment/web")
	// ErrUnknownKind: the cluster serves no resource of that kind.
	ErrUnknownKind = errors.New("the cluster does not serve this kind")
	// ErrNotFound: no such live object.
	ErrNotFound = errors.New("object not found")
)

// LookupOptions says which live object to read.
type LookupOptions struct {
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
	// Arg is KIND/NAME as kubectl takes it: deployment/web, deploy/web,
	// deployments.apps/web, Deployment.apps/web.
	Arg string
	// Namespace of a namespaced object.
	Namespace string
}

// Lookup maps o.Arg to a resource and reads the live object.
func Lookup(ctx context.Context, o LookupOptions) (*unstructured.Unstructured, error) {
	kind, name, ok := strings.Cut(o.Arg, "/")
	if !ok || kind == "" || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("%q: %w", o.Arg, ErrBadArgument)
	}
	m, err := MappingFor(o.Mapper, kind)
	if err != nil {
		return nil, err
	}
	ri := o.Dynamic.Resource(m.Resource)
	var client dynamic.ResourceInterface = ri
	where := ""
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		client = ri.Namespace(o.Namespace)
		where = " in namespace " + o.Namespace
	}
	u, err := client.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%s %q%s: %w", m.GroupVersionKind.Kind, name, where, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %q%s: %w", m.GroupVersionKind.Kind, name, where, err)
	}
	return u, nil
}

// MappingFor maps a kind or resource as kubectl takes it (deployment,
// deploy, deployments.apps, Deployment.v1.apps) to its REST mapping.
func MappingFor(mapper meta.RESTMapper, arg string) (*meta.RESTMapping, error) {
	gvr, gr := schema.ParseResourceArg(arg)
	var gvk schema.GroupVersionKind
	if gvr != nil {
		gvk, _ = mapper.KindFor(*gvr)
	}
	if gvk.Empty() {
		gvk, _ = mapper.KindFor(gr.WithVersion(""))
	}
	if !gvk.Empty() {
		if m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err == nil {
			return m, nil
		}
	}
	full, gk := schema.ParseKindArg(arg)
	if full != nil {
		if m, err := mapper.RESTMapping(full.GroupKind(), full.Version); err == nil {
			return m, nil
		}
	}
	m, err := mapper.RESTMapping(gk)
	if err != nil {
		return nil, fmt.Errorf("%q: %w (%v)", arg, ErrUnknownKind, err)
	}
	return m, nil
}
