//go:build e2e

package webhook_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
)

// reviewBodies are AdmissionReviews of a person re-applying each object as
// Git declares it at head (object and oldObject both as the API server
// encodes the rendered object: through its Go type): the cache-hit path of
// every kind in the rendering.
func reviewBodies(b *testing.B, objs []*unstructured.Unstructured) [][]byte {
	b.Helper()
	resources := map[string]string{"ConfigMap": "configmaps", "Deployment": "deployments", "Service": "services", "Namespace": "namespaces"}
	var out [][]byte
	for i, u := range objs {
		res, ok := resources[u.GetKind()]
		if !ok {
			continue
		}
		gvk := u.GroupVersionKind()
		stored := asStored(b, u)
		req := map[string]any{
			"uid":       fmt.Sprintf("rss-%d", i),
			"kind":      map[string]any{"group": gvk.Group, "version": gvk.Version, "kind": gvk.Kind},
			"resource":  map[string]any{"group": gvk.Group, "version": gvk.Version, "resource": res},
			"name":      u.GetName(),
			"namespace": u.GetNamespace(),
			"operation": "UPDATE",
			"userInfo":  map[string]any{"username": "jane@example.com", "groups": []string{"system:authenticated"}},
			"object":    stored,
			"oldObject": stored,
		}
		body, err := json.Marshal(map[string]any{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req})
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, body)
	}
	return out
}

// sendReviews posts n reviews, cycling through bodies, from four keep-alive
// clients, and fails b unless every one is admitted.
func sendReviews(b *testing.B, url string, ca []byte, bodies [][]byte, n int) {
	b.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 4}}
	defer client.CloseIdleConnections()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				if err := postReview(client, url, bodies[i%len(bodies)]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

func postReview(client *http.Client, url string, body []byte) error {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if !strings.Contains(string(answer), `"allowed":true`) {
		return fmt.Errorf("not admitted: %s", answer)
	}
	return nil
}

// asStored is u encoded as the API server encodes it: through its Go type,
// so that empty structs (a Namespace's spec, a Deployment's strategy) are
// there as they are in every real request.
func asStored(b *testing.B, u *unstructured.Unstructured) map[string]any {
	b.Helper()
	typed, err := scheme.Scheme.New(u.GroupVersionKind())
	if err != nil {
		return u.Object
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, typed); err != nil {
		b.Fatal(err)
	}
	out, err := runtime.DefaultUnstructuredConverter.ToUnstructured(typed)
	if err != nil {
		b.Fatal(err)
	}
	return out
}
