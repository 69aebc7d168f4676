package webhookserver

import (
	"context"
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
// decision must be an admission. It is optional (no compile-time check on
// *admit.Decider): a Decider without it decides every request whole.
type Prescreener interface {
	Prescreen(req *admit.Request) (admit.Decision, bool)
}

var _ Decider = (*admit.Decider)(nil)

// Handler adapts a Decider to controller-runtime's admission.Handler. It is
// the only place that knows the AdmissionReview wire format.
type Handler struct {
	Decider Decider
	// Parents reads parent objects of scale requests; nil denies them.
	Parents ParentReader
	// Events records break-glass Events of authenticated callers (see
	// CallerFrom); nil skips them.
	Events EventRecorder
	// Metrics observes decisions; nil skips them.
	Metrics *Metrics
}

var _ admission.Handler = (*Handler)(nil)

// Handle implements admission.Handler.
func (h *Handler) Handle(ctx context.Context, req admission.Request) admission.Response {
	start := time.Now()
	log := logf.FromContext(ctx)
	head, err := h.header(ctx, req)
	if err != nil {
		return h.badRequest(log, req, head, start, err)
	}
	if p, ok := h.Decider.(Prescreener); ok {
		if d, out := p.Prescreen(head); out {
			h.Metrics.observe(head.Webhook, string(d.Action), string(d.Reason), time.Since(start))
			logDecision(log, req, head, d)
			return admission.Allowed(d.Message).WithWarnings(d.Warnings...)
		}
	}
	r, err := h.request(ctx, req, head)
	if err != nil {
		return h.badRequest(log, req, head, start, err)
	}
	d := h.Decider.Decide(ctx, r)
	h.Metrics.observe(r.Webhook, string(d.Action), string(d.Reason), time.Since(start))
	logDecision(log, req, r, d)
	if d.BreakGlass {
		h.breakGlassEvent(ctx, log, r, d)
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

// breakGlassEvent records the Event of a break-glass admission, only for
// an authenticated caller: a review from anyone else could name any user
// and object, and the Event would be believed. The warning and the audit
// annotations are answered either way (they reach only the caller and the
// API server's audit log of the request the API server itself sent).
func (h *Handler) breakGlassEvent(ctx context.Context, log logr.Logger, r *admit.Request, d admit.Decision) {
	if h.Events == nil {
		return
	}
	if !CallerFrom(ctx).Authenticated {
		log.Info("break-glass Event not written: the caller is not authenticated (serve with --client-ca-file)",
			"user", r.User.Username, "namespace", r.Namespace, "name", r.Name)
		return
	}
	obj := r.Object
	if obj == nil {
		obj = r.OldObject
	}
	h.Events.BreakGlass(ctx, obj, d.Key, r.User.Username, d.Message)
}

// logDecision logs in-scope decisions at info (admissions that match Git at
// debug level 1) and the rest at level 2. Key-value pairs are only built
// for lines that are written.
func logDecision(log logr.Logger, req admission.Request, r *admit.Request, d admit.Decision) {
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
	kv := append(requestKV(req, r), "action", d.Action, "reason", d.Reason)
	if d.Managed {
		kv = append(kv, "source", d.Source, "commit", d.Commit)
	}
	if d.Action != admit.ActionAllowed {
		kv = append(kv, "message", d.Message)
	}
	l.Info("decision", kv...)
}

// requestKV names a request in logs (the logger already carries its uid).
func requestKV(req admission.Request, r *admit.Request) []any {
	return []any{"webhook", r.Webhook, "operation", req.Operation, "resource", req.Resource.Resource,
		"subresource", req.SubResource, "namespace", req.Namespace, "name", req.Name, "user", req.UserInfo.Username,
		"fieldManager", r.FieldManager}
}

// badRequest answers a request whose objects or options do not decode.
func (h *Handler) badRequest(log logr.Logger, req admission.Request, r *admit.Request, start time.Time, err error) admission.Response {
	h.Metrics.observe(r.Webhook, "errored", "bad-request", time.Since(start))
	log.Info("bad admission request", append(requestKV(req, r), "error", err.Error())...)
	return admission.Errored(http.StatusBadRequest, err)
}

// header converts the AdmissionRequest without its objects: what the
// request is, who sent it through which webhook, and the field manager its
// options name. r is never nil, also with an error.
func (h *Handler) header(ctx context.Context, req admission.Request) (r *admit.Request, err error) {
	r = &admit.Request{
		Operation:   admit.Operation(req.Operation),
		Kind:        schema.GroupVersionKind(req.Kind),
		Resource:    schema.GroupVersionResource(req.Resource),
		SubResource: req.SubResource,
		Namespace:   req.Namespace,
		Name:        req.Name,
		User:        admit.UserInfo{Username: req.UserInfo.Username, Groups: req.UserInfo.Groups},
		DryRun:      req.DryRun != nil && *req.DryRun,
		Webhook:     WebhookFrom(ctx),
	}
	r.FieldManager, err = fieldManagerOf(req.Options.Raw)
	return r, err
}

// request decodes object and oldObject into r, once each, and reads the
// parent of a scale update.
func (h *Handler) request(ctx context.Context, req admission.Request, r *admit.Request) (*admit.Request, error) {
	var err error
	if r.Object, err = decodeObject(req.Object.Raw, "object"); err != nil {
		return nil, err
	}
	if r.OldObject, err = decodeObject(req.OldObject.Raw, "oldObject"); err != nil {
		return nil, err
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
	return r, nil
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
