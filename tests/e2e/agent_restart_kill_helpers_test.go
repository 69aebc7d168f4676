//go:build e2e

package e2e

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/pkg/webhookserver"
)

// buildAgent builds gitward-agent as it ships, into the test's temporary
// folder.
func buildAgent(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gitward-agent")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/gitward/gitward/agent").CombinedOutput(); err != nil {
		t.Fatalf("go build gitward-agent: %v\n%s", err, out)
	}
	return bin
}

// agentProc is a running gitward-agent process.
type agentProc struct {
	cmd     *exec.Cmd
	logs    *syncBuffer
	metrics string // http://addr/metrics
	done    chan struct{}
}

// startAgentProc starts bin run with args, metrics on a free loopback
// port. The process dies with the test (parent-death signal, and a kill
// at cleanup).
func startAgentProc(t *testing.T, bin string, args ...string) *agentProc {
	t.Helper()
	addr := freeAddr(t)
	args = append([]string{"run", "--leader-elect=false", "--metrics-bind-address", addr,
		"--health-probe-bind-address", freeAddr(t), "--soft-memory-limit", "0"}, args...)
	p := &agentProc{logs: &syncBuffer{}, metrics: "http://" + addr + "/metrics", done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill(t)
		if t.Failed() {
			t.Logf("agent pid %d logs:\n%s", p.cmd.Process.Pid, p.logs)
		}
	})
	return p
}

// kill sends SIGKILL to the agent, as the kubelet does after the grace
// period or the kernel's OOM killer does, and waits for it to be gone.
func (p *agentProc) kill(t *testing.T) {
	t.Helper()
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// cycles returns the number of cycles the agent has finished (its metric
// gitward_agent_cycles_total), 0 until it serves metrics.
func (p *agentProc) cycles(t *testing.T) int {
	t.Helper()
	resp, err := http.Get(p.metrics)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	n := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "gitward_agent_cycles_total{") {
			continue
		}
		f, err := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
		if err == nil {
			n += int(f)
		}
	}
	return n
}

// stallProxy forwards to a Git HTTP server; armed, it stalls a fetch in
// the middle of its pack: the answer to git-upload-pack is cut after its
// first bytes and held open until the client goes away.
type stallProxy struct {
	URL     string
	target  *url.URL
	armed   atomic.Bool
	once    sync.Once
	stalled chan struct{}
}

func newStallProxy(t *testing.T, targetURL string) *stallProxy {
	t.Helper()
	u, err := url.Parse(targetURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{stalled: make(chan struct{}), target: &url.URL{Scheme: u.Scheme, Host: u.Host}}
	rp := httputil.NewSingleHostReverseProxy(p.target)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.armed.Load() || !strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
			rp.ServeHTTP(w, r)
			return
		}
		p.stall(w, r)
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	p.URL = "http://" + l.Addr().String() + u.Path
	return p
}

// stall forwards r, passes on the first 2 KiB of the answer (the pack's
// header and first objects) and then holds the connection until the
// client goes away.
func (p *stallProxy) stall(w http.ResponseWriter, r *http.Request) {
	out := r.Clone(r.Context())
	out.RequestURI, out.URL.Scheme, out.URL.Host, out.Host = "", p.target.Scheme, p.target.Host, p.target.Host
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.CopyN(w, resp.Body, 2048)
	w.(http.Flusher).Flush()
	p.once.Do(func() { close(p.stalled) })
	<-r.Context().Done()
}

// holdWebhook is a validating admission webhook that, armed, holds the
// request for one ConfigMap until the API server gives up on it: the
// agent is then in the middle of an apply, some objects written and some
// not.
type holdWebhook struct {
	name    string // the ConfigMap held
	armed   atomic.Bool
	once    sync.Once
	held    chan struct{}
	release chan struct{}
}

// newHoldWebhook serves the webhook on loopback and registers it for the
// ConfigMaps of namespace ns.
func newHoldWebhook(t *testing.T, kube kubernetes.Interface, ns, name string) *holdWebhook {
	t.Helper()
	h := &holdWebhook{name: name, held: make(chan struct{}), release: make(chan struct{})}
	certs, err := webhookserver.GenerateCerts([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certs.TLSCert, certs.TLSKey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(h.serve)}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { h.open(); _ = srv.Close() })
	u := "https://" + l.Addr().String() + "/hold"
	fail, none, timeout := admissionregistrationv1.Fail, admissionregistrationv1.SideEffectClassNone, int32(30)
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "hold-" + ns},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:         "hold.e2e.gitward.dev",
			ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: &u, CABundle: certs.CACert},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"}},
			}},
			NamespaceSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}},
			FailurePolicy:           &fail,
			SideEffects:             &none,
			TimeoutSeconds:          &timeout,
			AdmissionReviewVersions: []string{"v1"},
		}},
	}
	applyWebhookConfiguration(t, kube, vwc)
	t.Cleanup(func() {
		_ = kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(t.Context(), vwc.Name, metav1.DeleteOptions{})
	})
	return h
}

func (h *holdWebhook) serve(w http.ResponseWriter, r *http.Request) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(w, "bad review", http.StatusBadRequest)
		return
	}
	if h.armed.Load() && review.Request.Name == h.name && (review.Request.DryRun == nil || !*review.Request.DryRun) {
		h.once.Do(func() { close(h.held) })
		select {
		case <-h.release:
		case <-r.Context().Done():
		}
	}
	review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
	review.Request = nil
	_ = json.NewEncoder(w).Encode(review)
}

// open lets every request through from now on, held ones included.
func (h *holdWebhook) open() {
	h.armed.Store(false)
	select {
	case <-h.release:
	default:
		close(h.release)
	}
}
