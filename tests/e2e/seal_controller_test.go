//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// The sealed-secrets controller as kubeseal expects it by default.
const (
	sealCtrlNamespace = "kube-system"
	sealCtrlName      = "sealed-secrets-controller"
)

// sealController is the real sealed-secrets controller (built by
// hack/build-tools-extra.sh from github.com/bitnami-labs/sealed-secrets
// cmd/controller) running as a process against the local control plane.
type sealController struct {
	ip      string // where it listens; not loopback when the service proxy can reach it
	port    int
	logPath string
	certPEM []byte
	proxied bool // a Service, Endpoints and Pod route the API server's service proxy to it
}

// startSealController runs the controller until the test ends.
//
// The controller only knows in-cluster configuration: it reads a token and
// a CA from /var/run/secrets/kubernetes.io/serviceaccount and the API
// server's address from KUBERNETES_SERVICE_HOST/PORT. It runs in its own
// user and mount namespaces (unshare) where a test folder is bind-mounted
// over /var/run, so nothing on the machine changes. Its token belongs to a
// ServiceAccount bound to cluster-admin.
func startSealController(t *testing.T, cfg *rest.Config, kube kubernetes.Interface) *sealController {
	t.Helper()
	ctx := t.Context()
	bin := filepath.Join(sealToolsBin(t), "sealed-secrets-controller")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("sealed-secrets controller not built: run `make tools` (hack/build-tools-extra.sh): %v", err)
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Fatalf("unshare (util-linux) is needed to give the controller its in-cluster files: %v", err)
	}
	token := sealServiceAccountToken(t, ctx, kube)
	run := sealInClusterFiles(t, cfg, token)

	c := &sealController{ip: sealHostIP(), logPath: filepath.Join(t.TempDir(), "sealed-secrets-controller.log")}
	c.port = sealFreePort(t, c.ip)
	apiURL, err := url.Parse(cfg.Host)
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(c.logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command("unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
		`mount --bind "$1" "$(readlink -f /var/run)" && shift && exec "$@"`, "sh", run,
		bin,
		"--listen-addr="+net.JoinHostPort(c.ip, strconv.Itoa(c.port)),
		"--listen-metrics-addr="+net.JoinHostPort("127.0.0.1", strconv.Itoa(sealFreePort(t, "127.0.0.1"))),
		"--key-renew-period=0",
	)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"KUBERNETES_SERVICE_HOST=" + apiURL.Hostname(),
		"KUBERNETES_SERVICE_PORT=" + apiURL.Port(),
		"POD_NAMESPACE=" + sealCtrlNamespace,
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the sealed-secrets controller: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- sealed-secrets controller log %s ends with:\n%s", c.logPath, sealTail(c.logPath, 40))
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})

	// The controller generates its key pair (a Secret in kube-system) and
	// then serves its certificate.
	certURL := fmt.Sprintf("http://%s/v1/cert.pem", net.JoinHostPort(c.ip, strconv.Itoa(c.port)))
	sealEventually(t, "the controller serves its certificate", 3*time.Minute, func() (bool, error) {
		select {
		case err := <-exited:
			return false, fmt.Errorf("the controller exited: %v; log:\n%s", err, sealTail(c.logPath, 40))
		default:
		}
		pem, err := sealHTTPGet(ctx, certURL)
		if err != nil {
			return false, nil
		}
		c.certPEM = pem
		return true, nil
	})
	if c.ip != "127.0.0.1" {
		sealRouteServiceProxy(t, ctx, kube, c)
	}
	return c
}

// sealServiceAccountToken returns a token of a ServiceAccount bound to cluster-admin.
func sealServiceAccountToken(t *testing.T, ctx context.Context, kube kubernetes.Interface) string {
	t.Helper()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sealCtrlName, Namespace: sealCtrlNamespace}}
	if _, err := kube.CoreV1().ServiceAccounts(sealCtrlNamespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating ServiceAccount %s/%s: %v", sealCtrlNamespace, sealCtrlName, err)
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "e2e-sealed-secrets-controller"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: sealCtrlName, Namespace: sealCtrlNamespace}},
	}
	if _, err := kube.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
		t.Fatalf("binding the controller to cluster-admin: %v", err)
	}
	hour := int64(3600)
	tr, err := kube.CoreV1().ServiceAccounts(sealCtrlNamespace).CreateToken(ctx, sealCtrlName,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &hour}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("requesting a token for the controller: %v", err)
	}
	return tr.Status.Token
}

// sealInClusterFiles writes what a Pod finds under /var/run/secrets and
// returns the folder to mount over /var/run.
func sealInClusterFiles(t *testing.T, cfg *rest.Config, token string) string {
	t.Helper()
	run := t.TempDir()
	sa := filepath.Join(run, "secrets", "kubernetes.io", "serviceaccount")
	if err := os.MkdirAll(sa, 0o755); err != nil {
		t.Fatal(err)
	}
	ca := cfg.TLSClientConfig.CAData
	if len(ca) == 0 && cfg.TLSClientConfig.CAFile != "" {
		var err error
		if ca, err = os.ReadFile(cfg.TLSClientConfig.CAFile); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string][]byte{"token": []byte(token), "ca.crt": ca, "namespace": []byte(sealCtrlNamespace)} {
		if err := os.WriteFile(filepath.Join(sa, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return run
}

// sealRouteServiceProxy lets the API server's service proxy reach the
// controller, as in a real cluster: a Service, Endpoints naming a Pod, and
// that Pod with the controller's address as its IP (the proxy only dials
// addresses of Pods). The Pod never runs: there is no kubelet.
func sealRouteServiceProxy(t *testing.T, ctx context.Context, kube kubernetes.Interface, c *sealController) {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: sealCtrlName + "-0", Namespace: sealCtrlNamespace},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "controller", Image: "sealed-secrets-controller"}}},
	}
	pod, err := kube.CoreV1().Pods(sealCtrlNamespace).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating the controller's Pod: %v", err)
	}
	pod.Status.PodIP = c.ip
	pod.Status.PodIPs = []corev1.PodIP{{IP: c.ip}}
	if _, err := kube.CoreV1().Pods(sealCtrlNamespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("setting the controller Pod's IP: %v", err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: sealCtrlName, Namespace: sealCtrlNamespace},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 8080, TargetPort: intstr.FromInt32(int32(c.port))}}},
	}
	if _, err := kube.CoreV1().Services(sealCtrlNamespace).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating the controller's Service: %v", err)
	}
	eps := &corev1.Endpoints{ //nolint:staticcheck // the service proxy reads Endpoints
		ObjectMeta: metav1.ObjectMeta{Name: sealCtrlName, Namespace: sealCtrlNamespace},
		Subsets: []corev1.EndpointSubset{{ //nolint:staticcheck
			Addresses: []corev1.EndpointAddress{{IP: c.ip, TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: pod.Name, Namespace: sealCtrlNamespace}}}, //nolint:staticcheck
			Ports:     []corev1.EndpointPort{{Name: "http", Port: int32(c.port)}},                                                                          //nolint:staticcheck
		}},
	}
	if _, err := kube.CoreV1().Endpoints(sealCtrlNamespace).Create(ctx, eps, metav1.CreateOptions{}); err != nil { //nolint:staticcheck
		t.Fatalf("creating the controller's Endpoints: %v", err)
	}
	c.proxied = true
}

// sealHostIP is the first non-loopback IPv4 address of an interface that
// is up, or 127.0.0.1. The API server's service proxy refuses loopback
// endpoints; traffic to the host's own address stays on the host.
func sealHostIP() string {
	ifaces, _ := net.Interfaces()
	for _, iface := range ifaces {
		if iface.Flags&net.FlagUp == 0 || iface.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := iface.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
				return n.IP.String()
			}
		}
	}
	return "127.0.0.1"
}

func sealFreePort(t *testing.T, ip string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatalf("finding a free port on %s: %v", ip, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func sealHTTPGet(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// sealEventually polls cond every 200ms until it holds, fails, or timeout.
func sealEventually(t *testing.T, what string, timeout time.Duration, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("waiting until %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting until %s: gave up after %s", what, timeout)
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("waiting until %s: %v", what, t.Context().Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func sealTail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for s.Scan() {
		lines = append(lines, s.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// sealRepoRoot is the folder of gitward's go.mod.
func sealRepoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("finding the module root: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// sealToolsBin is where `make tools` puts the real components.
func sealToolsBin(t *testing.T) string {
	if d := os.Getenv("GITWARD_TOOLS_BIN"); d != "" {
		return d
	}
	return filepath.Join(sealRepoRoot(t), ".cache", "bin")
}
