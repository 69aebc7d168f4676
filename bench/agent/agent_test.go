//go:build e2e

// Package agent_test benchmarks gitward-agent against `kubectl apply
// --server-side` side by side on the local control plane. Run:
//
//	go test -tags e2e -run TestAgentBench -v -timeout 30m ./bench/agent/
//
// Figures go to docs/benchmarks.md ("## Agent").
package agent_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/tests/localcluster"
	"github.com/gitward/gitward/tests/shipped"
)

var (
	genScript = flag.String("gen", "/work/shared/bench/gen-objects.py", "the shared object generator")
	nObjects  = flag.String("n", "2000", "objects to generate")
	rssWatch  = flag.Duration("rss-watch", 20*time.Second, "how long to sample the agent binary's RSS")
	agentLog  = flag.String("agent-log", "", "where the agent binary logs (default: a temporary file)")
	conc      = flag.Int("concurrency", 0, "applies in flight (0: the agent's default)")
	rtt       = flag.Duration("rtt", 0, "round-trip time a proxy adds between the API server and both kubectl and the agent (0: none, loopback)")
)

// writeCounter counts the mutating requests a client sends, and the reads.
type writeCounter struct {
	next          http.RoundTripper
	writes, reads atomic.Int64
}

func (w *writeCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.writes.Add(1)
	} else {
		w.reads.Add(1)
	}
	return w.next.RoundTrip(r)
}

func TestAgentBench(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := t.Context()
	cfg := c.RESTConfig()
	kube := kubernetes.NewForConfigOrDie(cfg)
	dyn := dynamic.NewForConfigOrDie(cfg)
	if err := inventory.InstallCRD(ctx, dyn); err != nil {
		t.Fatal(err)
	}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "gitward-system"}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "base.yaml")
	run(t, "python3", *genScript, base, *nObjects)
	content, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}

	// kubectl, same objects in namespace bench-kubectl.
	kfile := filepath.Join(dir, "kubectl.yaml")
	kcontent := strings.ReplaceAll(strings.ReplaceAll(string(content), "name: bench\n", "name: bench-kubectl\n"), "namespace: bench\n", "namespace: bench-kubectl\n")
	if err := os.WriteFile(kfile, []byte(kcontent), 0o644); err != nil {
		t.Fatal(err)
	}
	kubectl := filepath.Join(repoRoot(t), ".cache", "bin", "kubectl")
	server := cfg.Host
	if *rtt > 0 {
		server = startDelayProxy(t, cfg.Host, *rtt)
		t.Logf("kubectl and the agent reach the API server through a proxy adding %s of round trip; one request in turn takes %s through it, %s without",
			*rtt, requestTime(t, cfg, server), requestTime(t, cfg, cfg.Host))
	}
	waitQuiet(c, 30*time.Second)
	cpu0 := snap(c)
	start := time.Now()
	run(t, kubectl, "--kubeconfig", c.Kubeconfig, "--server", server, "apply", "--server-side", "-f", kfile)
	kubectlCold := time.Since(start)
	kcpu := delta(cpu0, snap(c))
	t.Logf("kubectl apply --server-side, cold, %s objects: %s", *nObjects, kubectlCold.Round(time.Millisecond))

	// The agent, in process, with a write-counting transport.
	src := gittest.NewRepo(t)
	src.WriteFile("app/objects.yaml", string(content)).WriteFile("app/kustomization.yaml", "resources:\n- objects.yaml\n").Commit("bench")
	bare := src.Bare()
	url := gittest.ServeHTTP(t, bare)
	counter := &writeCounter{}
	acfg := rest.CopyConfig(cfg)
	acfg.Host = server
	acfg.QPS, acfg.Burst = 1000, 2000
	acfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter }
	s, err := agent.New(agent.Options{
		Config: acfg, Namespace: "gitward-system", Force: true, Interval: time.Hour, Concurrency: *conc,
		Source: agent.SourceSpec{Name: "bench", Repo: url, Branch: "main", Path: "app"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The controller manager works through kubectl's Deployments at its
	// 20 QPS; let the API server settle so that the agent does not pay for
	// kubectl's aftermath.
	waitQuiet(c, 30*time.Second)
	cpu0 = snap(c)
	rep := s.Cycle(ctx, agent.TriggerStart)
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	acpu := delta(cpu0, snap(c))
	t.Logf("agent cold apply: %s (%s; %d applied, %d writes, %d reads) — %.1fx faster than kubectl",
		rep.Duration.Round(time.Millisecond), phases(rep), rep.Applied, counter.writes.Load(), counter.reads.Load(), kubectlCold.Seconds()/rep.Duration.Seconds())
	// On a machine of few cores both sides are bound by CPU: the ratio of
	// the CPU they cost is what the wall-time ratio tends to.
	t.Logf("CPU, kubectl: %s", kcpu)
	t.Logf("CPU, agent:   %s", acpu)
	t.Logf("CPU ratio kubectl/agent: %.1fx", kcpu.total().Seconds()/acpu.total().Seconds())

	for i := 1; i <= 3; i++ {
		w0 := counter.writes.Load()
		rep = s.Cycle(ctx, agent.TriggerInterval)
		if rep.Err != nil {
			t.Fatal(rep.Err)
		}
		t.Logf("agent resync %d, no change: %s (%s), %d applied, %d writes", i, rep.Duration.Round(time.Millisecond), phases(rep), rep.Applied, counter.writes.Load()-w0)
	}

	// A new commit that changes no file of the rendering.
	src.WriteFile("README.md", "not rendered\n").Commit("docs only")
	src.Push(bare, "main")
	w0 := counter.writes.Load()
	rep = s.Cycle(ctx, agent.TriggerWebhook)
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	t.Logf("agent sync of a commit that changes no rendered file: %s (%s), %d applied, %d writes", rep.Duration.Round(time.Millisecond), phases(rep), rep.Applied, counter.writes.Load()-w0)

	// Fetch trigger to applied, one object changed, through the Run loop.
	reports := make(chan agent.Report, 10)
	s.OnCycle(func(r agent.Report) { reports <- r })
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = s.Run(rctx) }()
	<-reports // the start cycle
	src.WriteFile("app/objects.yaml", strings.Replace(string(content), "key: value-0\n", "key: changed-0\n", 1)).Commit("one change")
	src.Push(bare, "main")
	start = time.Now()
	s.Trigger(agent.TriggerWebhook)
	rep = <-reports
	latency := time.Since(start)
	cancel()
	t.Logf("fetch trigger to applied, one object changed: %s (cycle %s: %s; %d applied, err %v)", latency.Round(time.Millisecond), rep.Duration.Round(time.Millisecond), phases(rep), rep.Applied, rep.Err)

	if *rssWatch > 0 {
		measureRSS(t, c, url, dyn, src.Head())
	}
}

// phases describes where a cycle spent its time.
func phases(r agent.Report) string {
	render := "no render"
	if r.Rendered {
		render = "render " + r.RenderTime.Round(time.Millisecond).String()
	}
	return fmt.Sprintf("fetch %s, %s, apply %s", r.FetchTime.Round(time.Millisecond), render, r.ApplyTime.Round(time.Millisecond))
}

// measureRSS runs the real gitward-agent binary on the managed set and
// samples its resident memory once it has synced.
func measureRSS(t *testing.T, c *localcluster.Cluster, url string, dyn dynamic.Interface, head string) {
	bin := shipped.Build(t, "github.com/gitward/gitward/agent")
	cmd := exec.Command(bin, "run", "--kubeconfig", c.Kubeconfig, "--source", "bench", "--repo", url, "--path", "app",
		"--agent-namespace", "gitward-system", "--leader-elect=false", "--metrics-bind-address=0",
		"--health-probe-bind-address=127.0.0.1:0", "--interval", "10s")
	cmd.Env = os.Environ() // the binary's default soft memory limit (40Mi), unless GOMEMLIMIT is set
	logPath := *agentLog
	if logPath == "" {
		logPath = filepath.Join(t.TempDir(), "agent.log")
	}
	logf, _ := os.Create(logPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }()
	start := time.Now()
	for {
		u, err := dyn.Resource(inventory.GVR).Namespace("gitward-system").Get(t.Context(), "bench", metav1.GetOptions{})
		if err == nil {
			if lac, _, _ := unstructured.NestedString(u.Object, "status", "lastAttemptedCommit"); lac == head && time.Since(start) > 3*time.Second {
				break
			}
		}
		if time.Since(start) > 3*time.Minute {
			t.Fatal("the agent binary did not sync")
		}
		time.Sleep(500 * time.Millisecond)
	}
	var peak, last int64
	for end := time.Now().Add(*rssWatch); time.Now().Before(end); time.Sleep(time.Second) {
		last = rssKiB(t, cmd.Process.Pid, "VmRSS:")
		peak = max(peak, last)
	}
	anon, file := rssKiB(t, cmd.Process.Pid, "RssAnon:"), rssKiB(t, cmd.Process.Pid, "RssFile:")
	t.Logf("gitward-agent binary RSS with %s objects managed, over %s of 10 s resyncs: last %.1f MiB (anonymous %.1f MiB, file-backed %.1f MiB), peak %.1f MiB",
		*nObjects, *rssWatch, float64(last)/1024, float64(anon)/1024, float64(file)/1024, float64(peak)/1024)
}

// rssKiB reads one memory figure (VmRSS:, RssAnon:, RssFile:) of pid.
func rssKiB(t *testing.T, pid int, field string) int64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, tail(string(out)))
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

func repoRoot(t *testing.T) string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "..", "..")
}
