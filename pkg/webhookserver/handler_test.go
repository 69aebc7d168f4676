package webhookserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/admitscope"
)

// recordingDecider returns a fixed decision and records the requests.
type recordingDecider struct {
	mu   sync.Mutex
	reqs []*admit.Request
	d    admit.Decision
}

func (r *recordingDecider) Decide(_ context.Context, req *admit.Request) admit.Decision {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	return r.d
}

type fakeParents struct{ obj *unstructured.Unstructured }

func (f fakeParents) Get(context.Context, schema.GroupVersionResource, string, string) (*unstructured.Unstructured, error) {
	return f.obj, nil
}

type fakeEvents struct{ n int }

func (f *fakeEvents) BreakGlass(context.Context, *unstructured.Unstructured, admit.Key, string, string) {
	f.n++
}

// review builds an AdmissionReview body.
func review(t *testing.T, mutate func(r *admissionv1.AdmissionRequest)) []byte {
	t.Helper()
	obj := []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"shop"},"data":{"a":"1"}}`)
	r := &admissionv1.AdmissionRequest{
		UID:       "0f6c5ab4-0000-4000-8000-000000000001",
		Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "ConfigMap"},
		Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "configmaps"},
		Name:      "x",
		Namespace: "shop",
		Operation: admissionv1.Create,
		UserInfo:  authnv1.UserInfo{Username: "alice", Groups: []string{"devs"}},
		Object:    runtime.RawExtension{Raw: obj},
	}
	if mutate != nil {
		mutate(r)
	}
	b, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"}, Request: r})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// post sends body to the handler and decodes the AdmissionReview answer.
func post(t *testing.T, url, contentType string, body io.Reader) (int, *admissionv1.AdmissionResponse) {
	t.Helper()
	resp, err := http.Post(url, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ar admissionv1.AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&ar); err != nil {
		t.Fatalf("decode the answer: %v", err)
	}
	return resp.StatusCode, ar.Response
}

func TestHandlerOverHTTP(t *testing.T) {
	dec := &recordingDecider{d: admit.Decision{Allowed: false, Action: admit.ActionDenied, Reason: admit.ReasonDiffers,
		Message: "configmap/x in namespace shop is managed by Git", Managed: true,
		AuditAnnotations: map[string]string{"decision": "denied"}}}
	ev := &fakeEvents{}
	parent := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "namespace": "shop"}}}
	h := &Handler{Decider: dec, Parents: fakeParents{parent}, Events: ev, Metrics: NewMetrics()}
	srv := httptest.NewServer(Routes(Webhook(h, logr.Discard()), false))
	defer srv.Close()
	url := srv.URL + ValidatePath

	big := strings.Repeat("x", 8<<20)
	tests := []struct {
		name        string
		contentType string
		body        []byte
		wantCode    int32 // Result.Code
		wantAllowed bool
		wantMsg     string
	}{
		{name: "a decision", body: review(t, nil), wantCode: http.StatusForbidden, wantMsg: "managed by Git"},
		{name: "malformed JSON", body: []byte(`{"request":`), wantCode: http.StatusBadRequest, wantMsg: "unexpected end of JSON input"},
		{name: "truncated review", body: review(t, nil)[:100], wantCode: http.StatusBadRequest},
		{name: "not JSON at all", body: []byte("\x00\x01garbage"), wantCode: http.StatusBadRequest},
		{name: "wrong content type", contentType: "text/plain", body: review(t, nil), wantCode: http.StatusBadRequest, wantMsg: "contentType=text/plain"},
		{name: "empty body", body: nil, wantCode: http.StatusBadRequest, wantMsg: "request body is empty"},
		{name: "too large", body: []byte(`{"request":{"object":{"data":"` + big + `"}}}`), wantCode: http.StatusRequestEntityTooLarge},
		{name: "object that is not a JSON object", body: review(t, func(r *admissionv1.AdmissionRequest) {
			r.Object = runtime.RawExtension{Raw: []byte(`[1,2,3]`)}
		}), wantCode: http.StatusBadRequest, wantMsg: "admission request object does not decode as a JSON object"},
		{name: "malformed object", body: bytes.Replace(review(t, nil), []byte(`"data":{"a":"1"}}`), []byte(`"data":{"a":1e999}}`), 1),
			wantCode: http.StatusBadRequest, wantMsg: "admission request object does not decode as a JSON object"},
		{name: "oldObject that is not a JSON object", body: review(t, func(r *admissionv1.AdmissionRequest) {
			r.Operation = admissionv1.Update
			r.OldObject = runtime.RawExtension{Raw: []byte(`"configmap"`)}
		}), wantCode: http.StatusBadRequest, wantMsg: "admission request oldObject does not decode as a JSON object"},
		{name: "options that are not a JSON object", body: review(t, func(r *admissionv1.AdmissionRequest) {
			r.Options = runtime.RawExtension{Raw: []byte(`[]`)}
		}), wantCode: http.StatusBadRequest, wantMsg: "admission request options do not decode as a JSON object"},
		{name: "an unknown custom resource", body: review(t, func(r *admissionv1.AdmissionRequest) {
			r.Kind = metav1.GroupVersionKind{Group: "example.com", Version: "v1alpha1", Kind: "Widget"}
			r.Object = runtime.RawExtension{Raw: []byte(`{"apiVersion":"example.com/v1alpha1","kind":"Widget","metadata":{"name":"w"},"spec":{"deep":{"x":[1,{"y":null}]}}}`)}
		}), wantCode: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.body == nil {
				body = http.NoBody
			}
			status, resp := post(t, url, ct, body)
			if status != http.StatusOK || resp == nil || resp.Result == nil {
				t.Fatalf("HTTP %d, response %+v", status, resp)
			}
			if resp.Allowed != tt.wantAllowed || resp.Result.Code != tt.wantCode || !strings.Contains(resp.Result.Message, tt.wantMsg) {
				t.Errorf("got allowed=%v code=%d message=%q; want allowed=%v code=%d message containing %q",
					resp.Allowed, resp.Result.Code, resp.Result.Message, tt.wantAllowed, tt.wantCode, tt.wantMsg)
			}
		})
	}

	t.Run("scale reads the parent", func(t *testing.T) {
		dec.d = admit.Decision{Allowed: true, Action: admit.ActionBreakGlass, BreakGlass: true, Managed: true,
			Warnings: []string{"break-glass: admitted"}, AuditAnnotations: map[string]string{"decision": "break-glass"}}
		_, resp := post(t, url, "application/json", bytes.NewReader(review(t, func(r *admissionv1.AdmissionRequest) {
			r.Operation, r.SubResource, r.Name = admissionv1.Update, "scale", "web"
			r.Resource = metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
			r.Object = runtime.RawExtension{Raw: []byte(`{"apiVersion":"autoscaling/v1","kind":"Scale","spec":{"replicas":5}}`)}
		})))
		if !resp.Allowed || len(resp.Warnings) != 1 || resp.AuditAnnotations["decision"] != "break-glass" {
			t.Errorf("response %+v", resp)
		}
		last := dec.reqs[len(dec.reqs)-1]
		if last.Parent == nil || last.ParentKind.Kind != "Deployment" {
			t.Errorf("parent not read: %+v", last)
		}
		if ev.n != 0 {
			t.Errorf("%d break-glass events for an unauthenticated caller, want none", ev.n)
		}
	})
}

// TestHandlerRequest: the objects are decoded once each, integers as
// int64; the field manager comes from the options and the webhook's name
// from the path.
func TestHandlerRequest(t *testing.T) {
	dec := &recordingDecider{d: admit.Decision{Allowed: true, Action: admit.ActionAllowed}}
	srv := httptest.NewServer(Routes(Webhook(&Handler{Decider: dec}, logr.Discard()), false))
	defer srv.Close()
	tests := []struct {
		name, path       string
		options          string
		wantWebhook      string
		wantFieldManager string
	}{
		{name: "shared path", path: ValidatePath},
		{name: "managed namespaces", path: WebhookPath(admitscope.ManagedNamespaces), wantWebhook: admitscope.ManagedNamespaces,
			options:          `{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1","fieldManager":"kubectl-client-side-apply"}`,
			wantFieldManager: "kubectl-client-side-apply"},
		{name: "labelled objects", path: WebhookPath(admitscope.LabelledObjects), wantWebhook: admitscope.LabelledObjects,
			options: `{"kind":"PatchOptions","apiVersion":"meta.k8s.io/v1","fieldManager":"gitward","force":true}`, wantFieldManager: "gitward"},
		{name: "namespaces, delete options", path: WebhookPath(admitscope.Namespaces), wantWebhook: admitscope.Namespaces,
			options: `{"kind":"DeleteOptions","apiVersion":"meta.k8s.io/v1","propagationPolicy":"Background"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := review(t, func(r *admissionv1.AdmissionRequest) {
				r.Operation = admissionv1.Update
				r.OldObject = runtime.RawExtension{Raw: []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","generation":3}}`)}
				if tt.options != "" {
					r.Options = runtime.RawExtension{Raw: []byte(tt.options)}
				}
			})
			if status, resp := post(t, srv.URL+tt.path, "application/json", bytes.NewReader(body)); status != http.StatusOK || !resp.Allowed {
				t.Fatalf("HTTP %d, response %+v", status, resp)
			}
			r := dec.reqs[len(dec.reqs)-1]
			if r.Webhook != tt.wantWebhook || r.FieldManager != tt.wantFieldManager {
				t.Errorf("webhook %q field manager %q; want %q and %q", r.Webhook, r.FieldManager, tt.wantWebhook, tt.wantFieldManager)
			}
			if r.Object.Object["data"].(map[string]any)["a"] != "1" || r.OldObject.GetGeneration() != 3 {
				t.Errorf("objects not decoded: %v, %v", r.Object.Object, r.OldObject.Object)
			}
			if _, ok := r.OldObject.Object["metadata"].(map[string]any)["generation"].(int64); !ok {
				t.Error("an integer is not an int64")
			}
		})
	}
	t.Run("unknown webhook path", func(t *testing.T) {
		resp, err := http.Post(srv.URL+WebhookPath("nope"), "application/json", bytes.NewReader(review(t, nil)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("HTTP %d, want 404", resp.StatusCode)
		}
	})
}

// TestBreakGlassEventNeedsAnAuthenticatedCaller: a forged break-glass
// review writes no Event; the API server's (authenticated) one does. Both
// get the warning and the audit annotations.
func TestBreakGlassEventNeedsAnAuthenticatedCaller(t *testing.T) {
	dec := &recordingDecider{d: admit.Decision{Allowed: true, Action: admit.ActionBreakGlass, BreakGlass: true, Managed: true,
		Warnings: []string{"break-glass: admitted"}, AuditAnnotations: map[string]string{"decision": "break-glass"}}}
	for _, authenticated := range []bool{false, true} {
		ev := &fakeEvents{}
		wh := Webhook(&Handler{Decider: dec, Events: ev}, logr.Discard())
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			wh.ServeHTTP(w, r.WithContext(withCaller(r.Context(), Caller{Authenticated: authenticated, Name: "kube-apiserver"})))
		}))
		_, resp := post(t, srv.URL, "application/json", bytes.NewReader(review(t, nil)))
		srv.Close()
		want := 0
		if authenticated {
			want = 1
		}
		if ev.n != want || !resp.Allowed || len(resp.Warnings) != 1 || resp.AuditAnnotations["decision"] != "break-glass" {
			t.Errorf("authenticated=%v: %d Events (want %d), response %+v", authenticated, ev.n, want, resp)
		}
	}
}
