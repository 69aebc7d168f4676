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
	utiljson "k8s.io/apimachinery/pkg/util/json"
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

var _ Decider = (*admit.Decider)(nil)

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
	log := logf.FromContext(ctx).WithValues("uid", req.UID, "operation", req.Operation,
		"resource", req.Resource.Resource, "subresource", req.SubResource, "namespace", req.Namespace,
		"name", req.Name, "user", req.UserInfo.Username)
	r, err := h.request(ctx, req)
	if err != nil {
		h.Metrics.observe("errored", "bad-request", time.Since(start))
		log.Info("bad admission request", "error", err.Error())
		return admission.Errored(http.StatusBadRequest, err)
	}
	d := h.Decider.Decide(ctx, r)
	h.Metrics.observe(string(d.Action), string(d.Reason), time.Since(start))
	logDecision(log, d)
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

// logDecision logs in-scope decisions at info and the rest at debug level.
func logDecision(log logr.Logger, d admit.Decision) {
	kv := []any{"action", d.Action, "reason", d.Reason}
	if !d.Managed {
		log.V(2).Info("out of scope", kv...)
		return
	}
	kv = append(kv, "source", d.Source, "commit", d.Commit)
	if d.Action == admit.ActionAllowed {
		log.V(1).Info("admitted", kv...)
		return
	}
	log.Info("decision", append(kv, "message", d.Message)...)
}

// request converts an AdmissionRequest; it fails on objects that are not
// JSON objects.
func (h *Handler) request(ctx context.Context, req admission.Request) (*admit.Request, error) {
	r := &admit.Request{
		Operation:   admit.Operation(req.Operation),
		Kind:        schema.GroupVersionKind(req.Kind),
		Resource:    schema.GroupVersionResource(req.Resource),
		SubResource: req.SubResource,
		Namespace:   req.Namespace,
		Name:        req.Name,
		User:        admit.UserInfo{Username: req.UserInfo.Username, Groups: req.UserInfo.Groups},
		DryRun:      req.DryRun != nil && *req.DryRun,
	}
	var err error
	if r.Object, err = decode(req.Object.Raw, "object"); err != nil {
		return nil, err
	}
	if r.OldObject, err = decode(req.OldObject.Raw, "oldObject"); err != nil {
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

// decode unmarshals an embedded object, numbers as int64 where integral.
func decode(raw []byte, what string) (*unstructured.Unstructured, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]any
	if err := utiljson.Unmarshal(raw, &m); err != nil {
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
