//go:build e2e

package webhook_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

// genObjects is the shared generator of benchmark objects.
const genObjects = "/work/shared/bench/gen-objects.py"

// BenchmarkWebhookRSS runs the real gitward-webhook binary against a Git
// repository whose source renders 2,000 objects (gen-objects.py: ConfigMaps,
// Deployments, Services) and reports its resident set size once the head
// rendering is cached (ready), again after a GC cycle has had time to run,
// and after it has answered 20,000 reviews (each object of the rendering
// re-applied as Git declares it, ten times). GOMEMLIMIT is left to the
// binary's default.
//
//	go test -tags e2e ./bench/webhook -run '^$' -bench WebhookRSS -benchtime 1x
func BenchmarkWebhookRSS(b *testing.B) {
	if _, err := os.Stat(genObjects); err != nil {
		b.Skipf("%s: %v", genObjects, err)
	}
	cluster := localcluster.StartForTest(b, localcluster.Options{})
	repo := gittest.NewRepo(b)
	out := filepath.Join(repo.Dir, "overlays/production/objects.yaml")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		b.Fatal(err)
	}
	if msg, err := exec.Command("python3", genObjects, out, "2000").CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", genObjects, err, msg)
	}
	repo.WriteFile("overlays/production/kustomization.yaml", "resources: [objects.yaml]\n")
	head := repo.Commit("2,000 objects")
	bodies := reviewBodies(b, renderAt(b, repo, provenance.CommitID(head)))
	for range b.N {
		w := startWebhookBinary(b, cluster.Kubeconfig, gittest.FileURL(repo.Bare()), "overlays/production")
		ready := w.status("VmRSS")
		time.Sleep(5 * time.Second)
		b.ReportMetric(float64(ready)/1024, "rss-ready-MiB")
		b.ReportMetric(float64(w.status("VmRSS"))/1024, "rss-settled-MiB")
		b.ReportMetric(float64(w.status("VmHWM"))/1024, "rss-peak-MiB")
		b.ReportMetric(float64(w.status("RssAnon"))/1024, "anon-MiB")
		b.ReportMetric(float64(w.status("RssFile"))/1024, "file-MiB")
		sendReviews(b, w.url, w.ca, bodies, 20000)
		time.Sleep(2 * time.Second)
		b.ReportMetric(float64(w.status("VmRSS"))/1024, "rss-after-traffic-MiB")
	}
}
