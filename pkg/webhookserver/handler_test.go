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
	srv := httptest.NewServer(Webhook(h, logr.Discard()))
	defer srv.Close()

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
		}), wantCode: http.StatusBadRequest, wantMsg: "admission request object is not a JSON object"},
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
			status, resp := post(t, srv.URL, ct, body)
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
		_, resp := post(t, srv.URL, "application/json", bytes.NewReader(review(t, func(r *admissionv1.AdmissionRequest) {
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
		if ev.n != 1 {
			t.Errorf("%d break-glass events, want 1", ev.n)
		}
	})

}
