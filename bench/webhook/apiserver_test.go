//go:build e2e

package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
	"github.com/gitward/gitward/pkg/webhookserver"
	"github.com/gitward/gitward/tests/localcluster"
	"github.com/gitward/gitward/tests/shipped"
)

// configMaps is how many managed ConfigMaps a round creates and updates.
const configMaps = 1000

// applyWorkers is how many applies are in flight, as pkg/apply does by
// default (apply.DefaultConcurrency).
const applyWorkers = 24

// BenchmarkThroughAPIServer creates and then updates (server-side apply, the
// agent's way) 1,000 managed ConfigMaps through a real API server: without a
// webhook, with an always-allow webhook on the same server stack
// (webhookserver.Server: TLS, net/http, controller-runtime's admission
// decoding), and with gitward-webhook (the real binary), each registered by
// URL with the shipped ValidatingWebhookConfiguration, alternating in one
// run. Each round uses a fresh managed namespace.
//
//	go test -tags e2e ./bench/webhook -run '^$' -bench ThroughAPIServer -benchtime 1x
//
// Rounds rotate the order of the three cases, and the run ends with the
// median time of each case and the median of the per-round ratios. With
// GITWARD_BENCH_HTTP2=1 both webhooks also serve HTTP/2 (--enable-http2).
func BenchmarkThroughAPIServer(b *testing.B) {
	env := newAPIEnv(b, configMaps)
	modes := []string{modeNone, modeAllow, modeGitward}
	times := map[string][]float64{}
	round := 0
	for r := range apiRounds {
		totals := map[string]float64{}
		for i := range modes {
			mode := modes[(i+r)%len(modes)]
			b.Run(mode, func(b *testing.B) {
				for range b.N {
					round++
					b.StopTimer()
					ns := fmt.Sprintf("bench-%d", round)
					env.prepare(b, ns, mode)
					c1, c2 := placed(b, env.c1, ns), placed(b, env.c2, ns)
					cpu0 := env.wh.cpuTime()
					b.StartTimer()
					start := time.Now()
					env.applyAll(b, ns, c1)
					created := time.Since(start)
					env.applyAll(b, ns, c2)
					total := time.Since(start).Seconds()
					b.ReportMetric(created.Seconds(), "create-s")
					b.ReportMetric(total-created.Seconds(), "update-s")
					b.ReportMetric(total, "total-s")
					if mode == modeGitward {
						b.ReportMetric((env.wh.cpuTime() - cpu0).Seconds(), "webhook-cpu-s")
					}
					totals[mode] = total
				}
			})
		}
		for _, m := range modes {
			times[m] = append(times[m], totals[m])
		}
		times["gitward/none"] = append(times["gitward/none"], totals[modeGitward]/totals[modeNone])
		times["allow/none"] = append(times["allow/none"], totals[modeAllow]/totals[modeNone])
		times["gitward/allow"] = append(times["gitward/allow"], totals[modeGitward]/totals[modeAllow])
	}
	for _, k := range []string{modeNone, modeAllow, modeGitward, "gitward/none", "allow/none", "gitward/allow"} {
		// Printed, not logged: a parent benchmark's log is not shown.
		fmt.Printf("median %-17s %.3f  (rounds: %s)\n", k, median(times[k]), fmtAll(times[k]))
	}
}

// apiRounds is how many rounds of the three cases one run makes.
const apiRounds = 5

// median returns the median of xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// fmtAll renders xs for the summary.
func fmtAll(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(parts, " ")
}

// benchHTTP2 reports whether the webhooks also serve HTTP/2 in this run.
func benchHTTP2() bool { return os.Getenv("GITWARD_BENCH_HTTP2") == "1" }

// The webhooks a round runs with.
const (
	modeNone    = "without-webhook"
	modeAllow   = "with-always-allow"
	modeGitward = "with-gitward"
)

// apiEnv is a control plane, a Git source of n ConfigMaps at two commits,
// and the webhook binary serving it.
type apiEnv struct {
	kube   kubernetes.Interface
	cfg    *rest.Config
	wh     *webhookProc
	vwc    admissionregistrationv1.ValidatingWebhookConfiguration // gitward's
	allow  *allowServer
	c1, c2 []*unstructured.Unstructured
}

func newAPIEnv(b *testing.B, n int) *apiEnv {
	b.Helper()
	cluster := localcluster.StartForTest(b, localcluster.Options{})
	cfg := rest.CopyConfig(cluster.RESTConfig())
	cfg.QPS, cfg.Burst = -1, 0 // no client-side throttling: measure the server
	env := &apiEnv{kube: kubernetes.NewForConfigOrDie(cfg), cfg: cfg}

	repo := gittest.NewRepo(b)
	writeConfigMaps(repo, n, "v1")
	c1 := provenance.CommitID(repo.Commit("configmaps v1"))
	env.c1 = renderAt(b, repo, c1)
	writeConfigMaps(repo, n, "v2")
	c2 := provenance.CommitID(repo.Commit("configmaps v2"))
	env.c2 = renderAt(b, repo, c2)

	// The managed namespaces of every round exist before the webhook is
	// first registered (it would deny a labelled namespace Git does not
	// declare).
	for i := range 3 * apiRounds {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bench-%d", i+1),
			Labels: map[string]string{provenance.LabelSource: "production"}}}
		if _, err := env.kube.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	env.wh = startWebhookBinary(b, cluster.Kubeconfig, gittest.FileURL(repo.Bare()), "overlays/production")
	env.vwc = shippedVWC(b, env.wh.url, env.wh.ca)
	env.allow = startAllowServer(b)
	return env
}

// writeConfigMaps writes a kustomization of n ConfigMaps without a
// namespace: Git declares them for whichever managed namespace they land in.
func writeConfigMaps(repo *gittest.Repo, n int, version string) {
	var all strings.Builder
	for i := range n {
		fmt.Fprintf(&all, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  key: %s-%d\n  other: x\n", i, version, i)
	}
	repo.WriteFile("overlays/production/configmaps.yaml", all.String())
	repo.WriteFile("overlays/production/kustomization.yaml", "resources: [configmaps.yaml]\n")
}

// renderAt renders the overlay of the working tree, committed as c, and
// stamps it as the agent does.
func renderAt(b *testing.B, repo *gittest.Repo, c provenance.CommitID) []*unstructured.Unstructured {
	b.Helper()
	res, err := render.Dir(context.Background(), repo.Dir, "overlays/production", render.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range res.Objects {
		if err := provenance.Stamp(u, "production", c); err != nil {
			b.Fatal(err)
		}
	}
	return res.Objects
}

// placed returns copies of objs in namespace ns, stamped again as the agent
// stamps them: it places an object before it stamps it, so the digest
// covers the namespace.
func placed(b *testing.B, objs []*unstructured.Unstructured, ns string) []*unstructured.Unstructured {
	b.Helper()
	out := make([]*unstructured.Unstructured, len(objs))
	for i, u := range objs {
		c := u.DeepCopy()
		c.SetNamespace(ns)
		commit := provenance.CommitID(c.GetAnnotations()[provenance.AnnotationCommit])
		if err := provenance.Stamp(c, "production", commit); err != nil {
			b.Fatal(err)
		}
		out[i] = c
	}
	return out
}

// prepare registers the webhook of mode (none, always-allow or gitward) for
// a round in the managed namespace ns, and waits until the API server acts
// on it: a dry-run create of a ConfigMap Git does not declare is denied by
// gitward, reaches the always-allow server, or is admitted without a webhook.
func (e *apiEnv) prepare(b *testing.B, ns, mode string) {
	b.Helper()
	ctx := context.Background()
	api := e.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	if err := api.Delete(ctx, e.vwc.Name, metav1.DeleteOptions{}); err != nil && !strings.Contains(err.Error(), "not found") {
		b.Fatal(err)
	}
	switch mode {
	case modeGitward:
		if _, err := api.Create(ctx, e.vwc.DeepCopy(), metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	case modeAllow:
		vwc := shippedVWC(b, e.allow.url, e.allow.ca)
		if _, err := api.Create(ctx, &vwc, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	probe := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "not-in-git"}}
	deadline := time.Now().Add(time.Minute)
	for {
		seen := e.allow.count.Load()
		_, err := e.kube.CoreV1().ConfigMaps(ns).Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		denied := err != nil && strings.Contains(err.Error(), "managed by Git")
		reachedAllow := e.allow.count.Load() > seen
		switch {
		case mode == modeGitward && denied:
			e.warm(b, ns)
			return
		case
			mode == modeAllow && err == nil && reachedAllow,
			mode == modeNone && err == nil && !reachedAllow:
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("the API server did not pick up the webhook configuration for %s: %v", mode, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// warm has the webhook render both commits before the timer starts (a
// dry-run apply of one object at each): the benchmark measures a cache hit,
// as when the webhook pre-rendered a new head on its poll; a miss costs one
// rendering of the source once per commit.
func (e *apiEnv) warm(b *testing.B, ns string) {
	b.Helper()
	for _, objs := range [][]*unstructured.Unstructured{placed(b, e.c1[:1], ns), placed(b, e.c2[:1], ns)} {
		body, err := json.Marshal(objs[0].Object)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.kube.CoreV1().ConfigMaps(ns).Patch(context.Background(), objs[0].GetName(), types.ApplyPatchType, body,
			metav1.PatchOptions{FieldManager: "gitward", Force: ptr(true), DryRun: []string{metav1.DryRunAll}}); err != nil {
			b.Fatalf("warm-up apply: %v", err)
		}
	}
}

// applyAll server-side applies objs into ns with applyWorkers in flight.
func (e *apiEnv) applyAll(b *testing.B, ns string, objs []*unstructured.Unstructured) {
	b.Helper()
	ctx := context.Background()
	work := make(chan *unstructured.Unstructured)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range applyWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				body, err := json.Marshal(u.Object)
				if err == nil {
					_, err = e.kube.CoreV1().ConfigMaps(ns).Patch(ctx, u.GetName(), types.ApplyPatchType, body,
						metav1.PatchOptions{FieldManager: "gitward", Force: ptr(true)})
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("configmap %s/%s: %w", ns, u.GetName(), err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, u := range objs {
		work <- u
	}
	close(work)
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}

func ptr[T any](v T) *T { return &v }

// shippedVWC is manifests/webhook's ValidatingWebhookConfiguration pointed
// at url with caBundle ca.
func shippedVWC(b *testing.B, url string, ca []byte) admissionregistrationv1.ValidatingWebhookConfiguration {
	b.Helper()
	res, err := render.Dir(context.Background(), "../..", "manifests/webhook", render.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	for _, u := range res.Objects {
		if u.GetKind() == "ValidatingWebhookConfiguration" {
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &vwc); err != nil {
				b.Fatal(err)
			}
		}
	}
	if len(vwc.Webhooks) == 0 {
		b.Fatal("manifests/webhook has no ValidatingWebhookConfiguration")
	}
	for i := range vwc.Webhooks {
		vwc.Webhooks[i].ClientConfig = admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: ca}
	}
	return vwc
}

// readyz waits until the probe address answers /readyz with 200.
func readyz(b *testing.B, probe string, exited <-chan error) {
	b.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			b.Fatalf("gitward-webhook exited before it was ready: %v", err)
		default:
		}
		if resp, err := http.Get(probe + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatal("gitward-webhook did not become ready within 3 minutes")
}

// certDir writes a serving certificate for 127.0.0.1 and returns the folder
// and the CA.
func certDir(b *testing.B) (string, []byte) {
	b.Helper()
	dir := b.TempDir()
	certs, err := webhookserver.GenerateCerts([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	for name, data := range map[string][]byte{"tls.crt": certs.TLSCert, "tls.key": certs.TLSKey} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return dir, certs.CACert
}

// buildWebhook builds gitward-webhook as it ships (tests/shipped).
func buildWebhook(b *testing.B) string {
	b.Helper()
	return shipped.Build(b, "github.com/gitward/gitward/webhook")
}
