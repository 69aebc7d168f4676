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
	"syscall"
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
// webhook handler over it, and a realistic review on a cache hit: the agent
// applying the head commit to one managed Deployment that is live at the
// previous commit (new image, new commit annotation, generation and
// managedFields time bumped by the API server). The full chain runs: commit,
// on-branch and ancestry checks, declared fields, changed paths.
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

func deployment(i int, image string) string {
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
          image: %[2]s
          ports: [{containerPort: 8080}]
          resources: {requests: {cpu: "0.1", memory: 64Mi}, limits: {cpu: "1", memory: 256Mi}}
`, i, image)
}

// the Deployment the review is about, and its image before and after.
const (
	target             = 1234
	oldImage, newImage = "nginx:1.27", "nginx:1.28"
)

func writeDeployments(repo *gittest.Repo, image1234 string) {
	var all strings.Builder
	for i := range objectsInRepo {
		image := oldImage
		if i == target {
			image = image1234
		}
		all.WriteString(deployment(i, image))
	}
	repo.WriteFile("overlays/production/deployments.yaml", all.String())
}

func newFixture(b *testing.B) *fixture {
	repo := gittest.NewRepo(b)
	repo.WriteFile("overlays/production/kustomization.yaml", "namespace: shop\nresources: [deployments.yaml]\n")
	writeDeployments(repo, oldImage)
	prev := provenance.CommitID(repo.Commit("2000 deployments"))
	writeDeployments(repo, newImage)
	head := provenance.CommitID(repo.Commit("app-1234: nginx 1.28"))
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
	live := liveObject(b, view, head, prev, oldImage, 1, "2026-11-20T10:00:00Z")
	next := liveObject(b, view, head, head, newImage, 2, "2026-11-21T10:00:00Z")
	oldRaw, _ := json.Marshal(live)
	newRaw, _ := json.Marshal(next)
	body, _ := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID: "0f6c5ab4-0000-4000-8000-000000000001", Operation: admissionv1.Update,
			Kind:     metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
			Resource: metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"},
			Name:     fmt.Sprintf("app-%d", target), Namespace: "shop",
			UserInfo: authnv1.UserInfo{Username: "system:serviceaccount:gitward:gitward-agent",
				Groups: []string{"system:serviceaccounts", "system:authenticated"}},
			Object: runtime.RawExtension{Raw: newRaw}, OldObject: runtime.RawExtension{Raw: oldRaw},
		}})
	return &fixture{
		gitward: webhookserver.Webhook(&webhookserver.Handler{Decider: d, Metrics: webhookserver.NewMetrics()}, logr.Discard()),
		allow:   webhookserver.Webhook(webhookserver.AlwaysAllow{}, logr.Discard()),
		body:    body,
	}
}

// liveObject is Git's Deployment app-1234 at commit as the API server holds
// it: labels, commit annotation, server metadata and defaults, a
// managedFields entry, status.
func liveObject(b *testing.B, v *gitview.View, head, commit provenance.CommitID, image string, gen int64, at string) map[string]any {
	key := admit.Key{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: fmt.Sprintf("app-%d", target)}
	git, ok, err := v.Declared(context.Background(), head, key)
	if err != nil || !ok {
		b.Fatalf("app-%d not rendered: %v", target, err)
	}
	obj := runtime.DeepCopyJSON(git)
	md := obj["metadata"].(map[string]any)
	md["labels"] = map[string]any{provenance.LabelSource: "production"}
	md["annotations"] = map[string]any{provenance.AnnotationCommit: string(commit),
		"deployment.kubernetes.io/revision": "1"}
	md["resourceVersion"], md["uid"], md["generation"] = "1234", "9a5c0f6c-0000-4000-8000-00000000beef", gen
	md["creationTimestamp"] = "2026-11-20T10:00:00Z"
	md["managedFields"] = []any{map[string]any{"manager": "gitward", "operation": "Apply", "apiVersion": "apps/v1",
		"time": at, "fieldsType": "FieldsV1", "fieldsV1": map[string]any{
			"f:metadata": map[string]any{"f:annotations": map[string]any{"f:" + provenance.AnnotationCommit: map[string]any{}},
				"f:labels": map[string]any{"f:" + provenance.LabelSource: map[string]any{}}},
			"f:spec": map[string]any{"f:replicas": map[string]any{}, "f:selector": map[string]any{},
				"f:template": map[string]any{"f:metadata": map[string]any{"f:labels": map[string]any{"f:app": map[string]any{}}},
					"f:spec": map[string]any{"f:containers": map[string]any{`k:{"name":"app"}`: map[string]any{
						".": map[string]any{}, "f:image": map[string]any{}, "f:name": map[string]any{},
						"f:ports": map[string]any{}, "f:resources": map[string]any{}}}}}}}}}
	spec := obj["spec"].(map[string]any)
	spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"] = int64(10), int64(600)
	spec["strategy"] = map[string]any{"type": "RollingUpdate", "rollingUpdate": map[string]any{"maxSurge": "25%", "maxUnavailable": "25%"}}
	pod := spec["template"].(map[string]any)["spec"].(map[string]any)
	pod["restartPolicy"], pod["dnsPolicy"], pod["schedulerName"] = "Always", "ClusterFirst", "default-scheduler"
	pod["terminationGracePeriodSeconds"], pod["securityContext"] = int64(30), map[string]any{}
	c := pod["containers"].([]any)[0].(map[string]any)
	c["image"] = image
	c["imagePullPolicy"], c["terminationMessagePath"], c["terminationMessagePolicy"] = "IfNotPresent", "/dev/termination-log", "File"
	c["ports"] = []any{map[string]any{"containerPort": int64(8080), "protocol": "TCP"}}
	c["resources"] = map[string]any{"requests": map[string]any{"cpu": "100m", "memory": "64Mi"},
		"limits": map[string]any{"cpu": "1", "memory": "256Mi"}}
	obj["status"] = map[string]any{"replicas": int64(3), "readyReplicas": int64(3), "observedGeneration": int64(1)}
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

// run measures h with b.RunParallel and reports reviews/s, latency
// percentiles and the process CPU time per review (user + system, GC
// included), which machine load inflates less than wall time.
func run(b *testing.B, h http.Handler, body []byte) {
	var mu sync.Mutex
	var lat []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
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
	cpu := cpuTime() - cpu0
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "reviews/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(lat)), "cpu-us/review")
	b.ReportMetric(float64(lat[len(lat)*50/100].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rounds is how many times the two handlers alternate in one run, so that
// machine load hits both alike (-count would run all of one, then the other).
const rounds = 3

// BenchmarkAdmission runs gitward and always-allow side by side.
func BenchmarkAdmission(b *testing.B) {
	f := setup(b)
	for range rounds {
		b.Run("gitward-cache-hit", func(b *testing.B) { run(b, f.gitward, f.body) })
		b.Run("always-allow", func(b *testing.B) { run(b, f.allow, f.body) })
	}
}
