package admit

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/provenance"
)

// review is one in-scope request on its way through the rules.
type review struct {
	req    *Request
	op     Operation
	obj    *unstructured.Unstructured // after the change (nil for DELETE)
	old    *unstructured.Unstructured // live object (nil for CREATE)
	key    Key
	src    Source
	info   SourceInfo
	ignore ignoreFunc
	lazy   *Lazy // the objects' JSON while obj and old are partial (see Lazy)
	// stack backs the paths of the lazy rules, which run one after the other.
	stack [12]Segment

	commit     provenance.CommitID // the request's commit, once parsed
	liveCommit provenance.CommitID // the live object's commit, if well-formed
	head       provenance.CommitID // the head consulted, if any
	git        map[string]any      // Git's object at commit
}

// scope decides whether req is checked at all. It returns the review when it
// is, else the decision for an out-of-scope request.
func (d *Decider) scope(ctx context.Context, req *Request) (*review, Decision, bool) {
	if dec, out := d.Prescreen(req); out {
		return nil, dec, false
	}
	r := &review{req: req, op: req.Operation, obj: req.Object, old: req.OldObject, lazy: req.Lazy}
	if r.lazy != nil && req.SubResource != "" {
		if err := r.full(); err != nil {
			r.info, r.src = SourceInfo{Name: "?"}, unavailableSource{err: err}
			return r, Decision{}, true // fail closed
		}
	}
	if req.SubResource == "scale" {
		if req.Parent == nil {
			return r, Decision{}, true // rules() denies: the parent could not be read
		}
		r.old, r.obj = req.Parent, withReplicas(req.Parent, r.obj)
	}
	live := r.old
	if r.op == Create || live == nil {
		live = r.obj
	}
	if live == nil {
		return nil, allowed(ReasonNotManaged, "no object to check"), false
	}
	if controllerOwned(live) {
		return nil, allowed(ReasonControllerOwned, "owned by a controller"), false
	}
	r.key = requestKey(req, live)
	name, labelled := labelOf(r.old)
	if !labelled {
		name, labelled = labelOf(r.obj)
	}
	if !labelled {
		if r.op != Create || d.Namespaces == nil || r.key.Namespace == "" {
			return nil, allowed(ReasonNotManaged, "not managed by Git"), false
		}
		src, managed, err := d.Namespaces.SourceOf(ctx, r.key.Namespace)
		switch {
		case err != nil:
			// Fail closed: the namespace may be managed.
			r.info = SourceInfo{Name: "?"}
			r.src = unavailableSource{err: fmt.Errorf("namespace %s: %w", r.key.Namespace, err)}
			return r, Decision{}, true
		case !managed:
			return nil, allowed(ReasonNotManaged, "namespace "+r.key.Namespace+" is not managed"), false
		}
		name = src
	}
	s, ok := d.Sources[name]
	if !ok {
		msg := fmt.Sprintf("%s names source %q, which this webhook does not track", r.key, name)
		return nil, allowed(ReasonUnknownSource, msg, msg), false
	}
	r.src, r.info, r.ignore = s, s.Info(), d.ignoreFor(r.key)
	if r.info.Name == "" {
		r.info.Name = name
	}
	return r, Decision{}, true
}

// Prescreen decides what can be decided from the request alone, without
// its objects: CONNECT, subresources other than scale, exempt identities.
// It returns the decision and true for such a request; false means the
// objects are needed and Decide must be called. Callers use it to skip
// decoding objects of requests that are out of scope anyway (most of a
// cluster's traffic comes from exempt controllers).
func (d *Decider) Prescreen(req *Request) (Decision, bool) {
	switch {
	case req.Operation == Connect:
		return allowed(ReasonConnect, "CONNECT is not checked"), true
	case req.SubResource == "scale":
		if req.Operation != Update {
			return allowed(ReasonSubresource, "only updates of scale are checked"), true
		}
	case req.SubResource != "":
		return allowed(ReasonSubresource, "subresource "+req.SubResource+" is not checked"), true
	}
	if d.Exempt.Match(req.User) {
		return allowed(ReasonExemptIdentity, req.User.Username+" is exempt"), true
	}
	return Decision{}, false
}

// withReplicas returns a copy of parent with spec.replicas set from a Scale
// object.
func withReplicas(parent, scale *unstructured.Unstructured) *unstructured.Unstructured {
	out := parent.DeepCopy()
	if scale == nil {
		return out
	}
	spec, _ := scale.Object["spec"].(map[string]any)
	replicas, ok := spec["replicas"]
	if !ok {
		replicas = int64(0) // a Scale without spec.replicas scales to zero
	}
	ps, ok := out.Object["spec"].(map[string]any)
	if !ok {
		ps = map[string]any{}
		out.Object["spec"] = ps
	}
	ps["replicas"] = replicas
	return out
}

// requestKey is the key of the object a request is about: the kind the API
// server names (the parent's for a subresource), and the request's namespace
// and name, falling back to the object's.
func requestKey(req *Request, live *unstructured.Unstructured) Key {
	gvk := req.Kind
	if req.SubResource != "" {
		gvk = req.ParentKind
		if gvk.Kind == "" && req.Parent != nil {
			gvk = req.Parent.GroupVersionKind()
		}
	}
	if gvk.Kind == "" {
		gvk = live.GroupVersionKind()
	}
	k := Key{Group: gvk.Group, Kind: gvk.Kind, Namespace: req.Namespace, Name: req.Name}
	if k.Name == "" {
		k.Name = live.GetName()
	}
	if k.Namespace == "" {
		k.Namespace = live.GetNamespace()
	}
	return k
}
