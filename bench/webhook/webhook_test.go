// Package webhook_test benchmarks gitward-webhook's admission handling on a
// cache hit against an always-allow handler on the same server stack
// (controller-runtime's admission.Webhook behind net/http), side by side in
// one run. See docs/benchmarks.md.
//
//	go test ./bench/webhook -run '^$' -bench . -benchtime 20000x
package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/gitview"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/webhookserver"
)

// objectsInRepo is how many Deployments the rendering holds.
const objectsInRepo = 2000

// fixture is a source whose head renders objectsInRepo Deployments, a
// webhook handler over it, and a realistic review: a person's no-op update
// of one managed Deployment (the full chain runs: commit, ancestry, declared
// fields, changed paths).
type fixture struct {
	gitward, allow http.Handler
	body           []byte
}

var (
	fixOnce sync.Once
	fix     *fixture
)

func setup(b *testing.B) *fixture {
	fixOnce.Do(func() {
		logf.SetLogger(logr.Discard())
		fix = newFixture(b)
	})
	return fix
}

func deployment(i int) string {
	return fmt.Sprintf(`---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app-%[1]d}
spec:
  replicas: 3
  selector: {matchLabels: {app: app-%[1]d}}
  template:
    metadata: {labels: {app: app-%[1]d}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          ports: [{containerPort: 8080}]
          resources: {requests: {cpu: "0.1", memory: 64Mi}, limits: {cpu: "1", memory: 256Mi}}
`, i)
}

func newFixture(b *testing.B) *fixture {
	repo := gittest.NewRepo(b)
	var all strings.Builder
	for i := range objectsInRepo {
		all.WriteString(deployment(i))
	}
	repo.WriteFile("overlays/production/deployments.yaml", all.String())
	repo.WriteFile("overlays/production/kustomization.yaml", "namespace: shop\nresources: [deployments.yaml]\n")
	head := provenance.CommitID(repo.Commit("2000 deployments"))
	view, err := gitview.New(context.Background(), gitview.Options{Name: "production",
		URL: gittest.FileURL(repo.Bare()), Branch: "main", Path: "overlays/production", CacheSize: 2})
	if err != nil {
		b.Fatal(err)
	}
	d := &admit.Decider{Sources: map[string]admit.Source{"production": view},
		Namespaces: admit.StaticNamespaces{"shop": "production"}, Exempt: admit.DefaultExemptions()}
	if err := d.Validate(); err != nil {
		b.Fatal(err)
	}
	live := liveObject(b, view, head)
	raw, _ := json.Marshal(live)
	body, _ := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID: "0f6c5ab4-0000-4000-8000-000000000001", Operation: admissionv1.Update,
			Kind:     metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
			Resource: metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"},
			Name:     "app-1234", Namespace: "shop",
			UserInfo: authnv1.UserInfo{Username: "alice", Groups: []string{"system:authenticated"}},
			Object:   runtime.RawExtension{Raw: raw}, OldObject: runtime.RawExtension{Raw: raw},
		}})
	return &fixture{
		gitward: webhookserver.Webhook(&webhookserver.Handler{Decider: d, Metrics: webhookserver.NewMetrics()}, logr.Discard()),
		allow:   webhookserver.Webhook(webhookserver.AlwaysAllow{}, logr.Discard()),
		body:    body,
	}
}

// liveObject is Git's Deployment app-1234 as the API server holds it.
func liveObject(b *testing.B, v *gitview.View, head provenance.CommitID) map[string]any {
	git, ok, err := v.Declared(context.Background(), head, admit.Key{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "app-1234"})
	if err != nil || !ok {
		b.Fatalf("app-1234 not rendered: %v", err)
	}
	obj := runtime.DeepCopyJSON(git)
	md := obj["metadata"].(map[string]any)
	md["labels"] = map[string]any{provenance.LabelSource: "production"}
	md["annotations"] = map[string]any{provenance.AnnotationCommit: string(head)}
	md["resourceVersion"], md["uid"], md["generation"] = "1234", "9a5c", int64(1)
	c := obj["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	c["imagePullPolicy"], c["terminationMessagePath"] = "IfNotPresent", "/dev/termination-log"
	c["resources"] = map[string]any{"requests": map[string]any{"cpu": "100m", "memory": "64Mi"},
		"limits": map[string]any{"cpu": "1", "memory": "256Mi"}}
	obj["status"] = map[string]any{"replicas": int64(3)}
	return obj
}

// serve runs one review through h and checks it was admitted.
func serve(b *testing.B, h http.Handler, body []byte) {
	req := httptest.NewRequest(http.MethodPost, "/validate", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !bytes.Contains(rec.Body.Bytes(), []byte(`"allowed":true`)) {
		b.Fatalf("not admitted: %s", rec.Body.String())
	}
}

// run measures h with b.RunParallel and reports reviews/s and latency
// percentiles.
func run(b *testing.B, h http.Handler, body []byte) {
	var mu sync.Mutex
	var lat []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			t0 := time.Now()
			serve(b, h, body)
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "reviews/s")
	b.ReportMetric(float64(lat[len(lat)*50/100].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
}

// BenchmarkAdmission runs gitward and always-allow side by side.
func BenchmarkAdmission(b *testing.B) {
	f := setup(b)
	b.Run("gitward-cache-hit", func(b *testing.B) { run(b, f.gitward, f.body) })
	b.Run("always-allow", func(b *testing.B) { run(b, f.allow, f.body) })
}
