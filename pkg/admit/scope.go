package admit

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/provenance"
)

// review is one in-scope request on its way through the rules.
type review struct {
	decider *Decider
	req     *Request
	op      Operation
	obj     *unstructured.Unstructured // after the change (nil for DELETE)
	old     *unstructured.Unstructured // live object (nil for CREATE)
	key     Key
	src     Source
	info    SourceInfo
	ignore  ignoreFunc
	sub     subKind
	// unknownSource is the source label's value when it names a source this
	// webhook does not track: the request is denied.
	unknownSource string
	// unlabelled says the object carries no source label: it is in scope
	// because its namespace is managed.
	unlabelled bool

	commit     provenance.CommitID // the request's commit, once parsed
	liveCommit provenance.CommitID // the live object's commit, if any
	head       provenance.CommitID // the head consulted, if any
	git        map[string]any      // Git's object at commit, normalised
}

// scope decides whether req is checked at all. It returns the review when it
// is, else the decision for an out-of-scope request.
//
// In scope are: every object carrying the source label (the live object's
// label wins on UPDATE and DELETE, so removing it is a change), and every
// object in a managed namespace, whatever its kind and whoever made it,
// except objects a controller owns written by that controller's identity
// (Decider.Controllers): an ownerReference anyone can write takes nothing
// out of scope by itself.
func (d *Decider) scope(ctx context.Context, req *Request) (*review, Decision, bool) {
	if dec, out := d.Prescreen(req); out {
		return nil, dec, false
	}
	r := &review{decider: d, req: req, op: req.Operation, obj: req.Object, old: req.OldObject, sub: classify(req)}
	switch r.sub {
	case subScale:
		if req.Operation != Update {
			return nil, allowed(ReasonSubresource, "only updates of scale change an object"), false
		}
		if req.Parent != nil {
			r.old, r.obj = req.Parent, withReplicas(req.Parent, r.obj)
		}
	case subParent:
		r.op = Update
	case subEviction:
		r.op, r.old, r.obj = Delete, nil, nil
	}
	live := r.old
	if r.op == Create || live == nil {
		live = r.obj
	}
	if live == nil && r.sub != subEviction && r.sub != subScale && r.sub != subUnknown {
		return nil, allowed(ReasonNotManaged, "no object to check"), false
	}
	if live != nil && controllerOwned(live) && d.Controllers.Match(req.User) {
		return nil, allowed(ReasonControllerOwned, "owned by a controller, written by "+req.User.Username), false
	}
	r.key = requestKey(req, live)
	name, labelled := labelOf(r.old)
	if !labelled {
		name, labelled = labelOf(r.obj)
	}
	if !labelled {
		if d.Namespaces == nil || r.key.Namespace == "" {
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
		name, r.unlabelled = src, true
	}
	s, ok := d.Sources[name]
	if !ok {
		r.unknownSource, r.info = name, SourceInfo{Name: name}
		return r, Decision{}, true
	}
	r.src, r.info, r.ignore = s, s.Info(), d.ignoreFor(r.key)
	if r.info.Name == "" {
		r.info.Name = name
	}
	return r, Decision{}, true
}

// Prescreen decides what can be decided from the request alone, without
// its objects: CONNECT (exec, attach, port-forward change no object), a
// subresource that changes no stored object, exempt identities. It returns
// the decision and true for such a request; false means the objects are
// needed and Decide must be called. Callers use it to skip decoding objects
// of requests that are out of scope anyway.
func (d *Decider) Prescreen(req *Request) (Decision, bool) {
	switch {
	case req.Operation == Connect:
		return allowed(ReasonConnect, "CONNECT is not checked"), true
	case classify(req) == subNoChange:
		return allowed(ReasonSubresource, "subresource "+req.SubResource+" changes no object"), true
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

// requestKey is the key of the object a request is about: the parent's kind
// for a subresource (the Pod of an eviction), and the request's namespace
// and name, falling back to the object's.
func requestKey(req *Request, live *unstructured.Unstructured) Key {
	gvk := req.Kind
	switch {
	case req.SubResource == "eviction":
		gvk.Group, gvk.Kind = "", "Pod"
	case req.SubResource != "":
		gvk = req.ParentKind
		if gvk.Kind == "" && req.Parent != nil {
			gvk = req.Parent.GroupVersionKind()
		}
		if gvk.Kind == "" && live != nil {
			gvk = live.GroupVersionKind()
		}
	}
	if gvk.Kind == "" && live != nil {
		gvk = live.GroupVersionKind()
	}
	k := Key{Group: gvk.Group, Kind: gvk.Kind, Namespace: req.Namespace, Name: req.Name}
	if k.Name == "" && live != nil {
		k.Name = live.GetName()
	}
	if k.Namespace == "" && live != nil {
		k.Namespace = live.GetNamespace()
	}
	if k.Group == "" && k.Kind == "Namespace" {
		k.Namespace = "" // the API server names a Namespace's own name as the request's namespace
	}
	return k
}
