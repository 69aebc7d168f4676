//go:build e2e

package e2e

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/tests/localcluster"
)

// inClusterImage is the reference `make images` gives the image built for
// the tests (hack/images -version e2e).
const inClusterImage = "ghcr.io/gitward/gitward:e2e"

var imageOnce struct {
	sync.Once
	archive string
	err     error
}

// imageArchive builds gitward's image (agent + webhook) for this machine's
// platform once per test binary, as `make images` does, and returns the
// OCI archive.
func imageArchive(t *testing.T) string {
	t.Helper()
	root := moduleRoot(t)
	if _, err := os.Stat(filepath.Join(root, "hack", "images", "main.go")); err != nil {
		t.Skip("skipping: hack/images (make images) is not in this tree")
	}
	imageOnce.Do(func() {
		out, err := os.MkdirTemp("", "gitward-e2e-images-")
		if err != nil {
			imageOnce.err = err
			return
		}
		cmd := exec.Command("go", "run", "./hack/images", "-version", "e2e", "-commit", "e2e",
			"-platforms", "linux/"+runtime.GOARCH, "-out", out)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			imageOnce.err = errors.New("go run ./hack/images: " + err.Error() + ": " + string(b))
			return
		}
		matches, _ := filepath.Glob(filepath.Join(out, "*.tar"))
		if len(matches) == 0 {
			imageOnce.err = errors.New("hack/images wrote no .tar into " + out)
			return
		}
		imageOnce.archive = matches[0]
	})
	if imageOnce.err != nil {
		t.Fatal(imageOnce.err)
	}
	return imageOnce.archive
}

// moduleRoot is the folder of gitward's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// serveGitInNode serves bareDir with `git http-backend` on the node's
// address, inside its network namespace, and returns the clone URL Pods
// use (http://10.88.0.1:<port>/<name>).
func serveGitInNode(t *testing.T, c *localcluster.Cluster, bareDir string) string {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("git is not installed: %v", err)
	}
	l, err := c.ListenInNode("tcp", net.JoinHostPort(localcluster.NodeIP, "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: &cgi.Handler{
		Path: gitBin, Args: []string{"http-backend"}, Dir: filepath.Dir(bareDir),
		Env: append(gittest.Env(), "GIT_PROJECT_ROOT="+filepath.Dir(bareDir), "GIT_HTTP_EXPORT_ALL=1"),
	}, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + net.JoinHostPort(localcluster.NodeIP, strconv.Itoa(l.Addr().(*net.TCPAddr).Port)) + "/" + filepath.Base(bareDir)
}

// waitPods waits until want Pods matching selector in ns are Ready, and
// returns them.
func waitPods(t *testing.T, kube kubernetes.Interface, ns, selector string, want int, within time.Duration) []corev1.Pod {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	var last string
	for {
		list, err := kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err == nil {
			var ready []corev1.Pod
			var states []string
			for _, p := range list.Items {
				if p.DeletionTimestamp == nil && podReady(p) {
					ready = append(ready, p)
				}
				states = append(states, p.Name+"="+podState(p))
			}
			if len(ready) == want {
				return ready
			}
			last = strings.Join(states, ", ")
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %d ready Pods %s in %s: %s", want, selector, ns, last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podState is a Pod's phase and, for a container that is not running, why.
func podState(p corev1.Pod) string {
	s := string(p.Status.Phase)
	for _, cs := range p.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil {
			s += "/" + w.Reason + ": " + w.Message
		}
		if x := cs.State.Terminated; x != nil {
			s += "/terminated " + x.Reason + ": " + x.Message
		}
	}
	return s
}

// podLogs returns the logs of the Pods matching selector, for a failure.
func podLogs(t *testing.T, kube kubernetes.Interface, ns string, selector labels.Selector) string {
	t.Helper()
	list, err := kube.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, p := range list.Items {
		raw, err := kube.CoreV1().Pods(ns).GetLogs(p.Name, &corev1.PodLogOptions{TailLines: ptrInt64(40)}).DoRaw(context.Background())
		b.WriteString("--- " + p.Name + " (" + podState(p) + "):\n")
		if err != nil {
			b.WriteString(err.Error() + "\n")
		}
		b.Write(raw)
	}
	return b.String()
}

func ptrInt64(v int64) *int64 { return &v }

// kubectl runs the kubectl binary of the tools folder.
func kubectl(t *testing.T, kubeconfig string, args ...string) (string, error) {
	t.Helper()
	bin := os.Getenv(localcluster.EnvToolsBin)
	if bin == "" {
		bin = filepath.Join(moduleRoot(t), ".cache", "bin")
	}
	cmd := exec.CommandContext(t.Context(), filepath.Join(bin, "kubectl"), append([]string{"--kubeconfig", kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
