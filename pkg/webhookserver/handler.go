package webhookserver

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitward/gitward/pkg/admit"
)

// ParentReader reads the live object of a subresource request (the
// Deployment of a deployments/scale request).
type ParentReader interface {
	Get(ctx context.Context, gvr schema.GroupVersionResource, namespace, name string) (*unstructured.Unstructured, error)
}

// EventRecorder records the Event of a break-glass admission.
type EventRecorder interface {
	BreakGlass(ctx context.Context, obj *unstructured.Unstructured, key admit.Key, user, message string)
}

// Decider is what the handler asks; *admit.Decider implements it.
type Decider interface {
	Decide(ctx context.Context, req *admit.Request) admit.Decision
}

// Prescreener is implemented by a Decider that can admit some requests
// from their header alone, before their objects are decoded; a Prescreen
// decision must be an admission.
type Prescreener interface {
	Prescreen(req *admit.Request) (admit.Decision, bool)
}

var (
	_ Decider     = (*admit.Decider)(nil)
	_ Prescreener = (*admit.Decider)(nil)
)

// Handler adapts a Decider to controller-runtime's admission.Handler. It is
// the only place that knows the AdmissionReview wire format.
type Handler struct {
	Decider Decider
	// Parents reads parent objects of scale requests; nil denies them.
	Parents ParentReader
	// Events records break-glass Events; nil skips them.
	Events EventRecorder
	// Metrics observes decisions; nil skips them.
	Metrics *Metrics
}

var _ admission.Handler = (*Handler)(nil)

// Handle implements admission.Handler.
func (h *Handler) Handle(ctx context.Context, req admission.Request) admission.Response {
	start := time.Now()
	log := logf.FromContext(ctx)
	head := h.header(req)
	if p, ok := h.Decider.(Prescreener); ok {
		if d, out := p.Prescreen(head); out {
			h.Metrics.observe(string(d.Action), string(d.Reason), time.Since(start))
			logDecision(log, req, d)
			return admission.Allowed(d.Message).WithWarnings(d.Warnings...)
		}
	}
	r, lazyErr, err := h.request(ctx, req, head)
	if err != nil {
		return h.badRequest(log, req, start, err)
	}
	d := h.Decider.Decide(ctx, r)
	if lazyErr != nil && *lazyErr != nil {
		// The decision needed the whole objects and they did not decode:
		// the same answer as when they are decoded up front.
		return h.badRequest(log, req, start, *lazyErr)
	}
	h.Metrics.observe(string(d.Action), string(d.Reason), time.Since(start))
	logDecision(log, req, d)
	if d.BreakGlass && h.Events != nil {
		obj := r.Object
		if obj == nil {
			obj = r.OldObject
		}
		h.Events.BreakGlass(ctx, obj, d.Key, req.UserInfo.Username, d.Message)
	}
	var resp admission.Response
	if d.Allowed {
		resp = admission.Allowed(d.Message)
	} else {
		resp = admission.Denied(d.Message)
	}
	resp.AuditAnnotations = d.AuditAnnotations
	return resp.WithWarnings(d.Warnings...)
}

// logDecision logs in-scope decisions at info (admissions that match Git at
// debug level 1) and the rest at level 2. Key-value pairs are only built
// for lines that are written.
func logDecision(log logr.Logger, req admission.Request, d admit.Decision) {
	level := 0
	switch {
	case !d.Managed:
		level = 2
	case d.Action == admit.ActionAllowed:
		level = 1
	}
	l := log.V(level)
	if !l.Enabled() {
		return
	}
	kv := append(requestKV(req), "action", d.Action, "reason", d.Reason)
	if d.Managed {
		kv = append(kv, "source", d.Source, "commit", d.Commit)
	}
	if d.Action != admit.ActionAllowed {
		kv = append(kv, "message", d.Message)
	}
	l.Info("decision", kv...)
}

// requestKV names a request in logs (the logger already carries its uid).
func requestKV(req admission.Request) []any {
	return []any{"operation", req.Operation, "resource", req.Resource.Resource,
		"subresource", req.SubResource, "namespace", req.Namespace, "name", req.Name, "user", req.UserInfo.Username}
}

// badRequest answers a request whose objects do not decode.
func (h *Handler) badRequest(log logr.Logger, req admission.Request, start time.Time, err error) admission.Response {
	h.Metrics.observe("errored", "bad-request", time.Since(start))
	log.Info("bad admission request", append(requestKV(req), "error", err.Error())...)
	return admission.Errored(http.StatusBadRequest, err)
}

// request converts an AdmissionRequest; it fails on objects that are not
// JSON objects. A request that is not for a subresource is converted
// lazily (see admit.Lazy): only apiVersion, kind and metadata are decoded,
// the rest is checked and left as JSON for the decision to read where it
// must; *lazyErr is set if the decision then needed the whole objects and
// they did not decode.
func (h *Handler) request(ctx context.Context, req admission.Request, r *admit.Request) (_ *admit.Request, lazyErr *error, err error) {
	if r.SubResource == "" {
		if lazyErr, ok := lazyObjects(r, req.Object.Raw, req.OldObject.Raw); ok {
			return r, lazyErr, nil
		}
	}
	if err := decodeObjects(r, req.Object.Raw, req.OldObject.Raw); err != nil {
		return nil, nil, err
	}
	if r.SubResource == "scale" && r.Operation == admit.Update && h.Parents != nil {
		gvr := r.Resource
		if req.RequestResource != nil {
			gvr = schema.GroupVersionResource(*req.RequestResource)
		}
		parent, err := h.Parents.Get(ctx, gvr, r.Namespace, r.Name)
		if err != nil {
			logf.FromContext(ctx).Error(err, "read the parent of a scale request", "resource", gvr, "name", r.Name)
		} else {
			r.Parent, r.ParentKind = parent, parent.GroupVersionKind()
		}
	}
	return r, nil, nil
}

// lazyObjects sets r's objects to their heads and r.Lazy to their JSON. It
// reports false, leaving r alone, when they do not parse (the caller then
// decodes them whole, for the same error).
func lazyObjects(r *admit.Request, raw, oldRaw []byte) (*error, bool) {
	obj, old, h, err := parseHeads(raw, oldRaw)
	if err != nil {
		return nil, false
	}
	if obj != nil {
		r.Object = &unstructured.Unstructured{Object: obj}
	}
	if old != nil {
		r.OldObject = &unstructured.Unstructured{Object: old}
	}
	l := &lazyDecode{Lazy: admit.Lazy{Object: h.newSpan, OldObject: h.oldSpan, Members: h.newTop, OldMembers: h.oldTop},
		raw: raw, oldRaw: oldRaw}
	l.Decode = l.decode
	r.Lazy = &l.Lazy
	return &l.err, true
}

// lazyDecode is a lazy request's objects, decoded whole on demand.
type lazyDecode struct {
	admit.Lazy
	raw, oldRaw []byte
	err         error
}

func (l *lazyDecode) decode() (*unstructured.Unstructured, *unstructured.Unstructured, error) {
	var whole admit.Request
	l.err = decodeObjects(&whole, l.raw, l.oldRaw)
	return whole.Object, whole.OldObject, l.err
}

// header converts the AdmissionRequest without its objects.
func (h *Handler) header(req admission.Request) *admit.Request {
	return &admit.Request{
		Operation:   admit.Operation(req.Operation),
		Kind:        schema.GroupVersionKind(req.Kind),
		Resource:    schema.GroupVersionResource(req.Resource),
		SubResource: req.SubResource,
		Namespace:   req.Namespace,
		Name:        req.Name,
		User:        admit.UserInfo{Username: req.UserInfo.Username, Groups: req.UserInfo.Groups},
		DryRun:      req.DryRun != nil && *req.DryRun,
	}
}

// decodeObjects decodes object and oldObject into r in one pass over both:
// what they have in common is decoded once and shared (read-only).
func decodeObjects(r *admit.Request, raw, oldRaw []byte) error {
	obj, old, err := parsePair(raw, oldRaw)
	if err != nil {
		// Name the part at fault.
		if _, err := decode(raw, "object"); err != nil {
			return err
		}
		if _, err := decode(oldRaw, "oldObject"); err != nil {
			return err
		}
		return fmt.Errorf("admission request object and oldObject: %w", err)
	}
	if obj != nil {
		r.Object = &unstructured.Unstructured{Object: obj}
	}
	if old != nil {
		r.OldObject = &unstructured.Unstructured{Object: old}
	}
	return nil
}

// decode unmarshals an embedded object, numbers as int64 where integral.
func decode(raw []byte, what string) (*unstructured.Unstructured, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	m, err := parseObject(raw)
	if err != nil {
		return nil, fmt.Errorf("admission request %s is not a JSON object: %w", what, err)
	}
	if m == nil {
		return nil, nil
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// AlwaysAllow is an admission.Handler that admits everything: the baseline
// of the benchmarks, on the same server stack.
type AlwaysAllow struct{}

// Handle implements admission.Handler.
func (AlwaysAllow) Handle(context.Context, admission.Request) admission.Response {
	return admission.Allowed("")
}

// Webhook wraps h as an http.Handler that reads and writes AdmissionReview
// v1, recovering panics into an error response.
func Webhook(h admission.Handler, log logr.Logger) http.Handler {
	wh := &admission.Webhook{Handler: h}
	wh.WithRecoverPanic(true)
	wh.LogConstructor = func(_ logr.Logger, req *admission.Request) logr.Logger {
		if req == nil {
			return log
		}
		return log.WithValues("uid", req.UID)
	}
	return wh
}

// ensure the admission/v1 types stay what controller-runtime embeds.
var _ = admissionv1.AdmissionRequest{}
