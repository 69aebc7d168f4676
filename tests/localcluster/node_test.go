//go:build linux && e2e

package localcluster

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

const helloImage = "localcluster.local/hello:1"

// TestNodeRunsPodFromImportedImage: a node becomes Ready, a Pod runs from
// an image built here and imported into containerd (no registry), its
// Service answers from inside the namespace through kube-proxy, and Stop
// leaves no process, cgroup or namespace behind.
func TestNodeRunsPodFromImportedImage(t *testing.T) {
	bin, err := BuildStatic("./testdata/hello")
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "hello.tar")
	if err := WriteImageArchive(archive, ImageSpec{
		Ref: helloImage, Files: map[string][]byte{"hello": bin}, Entrypoint: []string{"/hello"}, User: "65532:65532",
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c := StartNodeForTest(t, Options{Node: &NodeOptions{Images: []string{archive}}})
	t.Logf("cluster with a Ready node in %s", time.Since(start).Round(time.Millisecond))
	cs := kubernetes.NewForConfigOrDie(c.RESTConfig())
	ctx := t.Context()

	labels := map[string]string{"app": "hello"}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "hello", Namespace: "default", Labels: labels},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name: "hello", Image: helloImage, ImagePullPolicy: corev1.PullNever,
				Ports: []corev1.ContainerPort{{ContainerPort: 8080}},
				SecurityContext: &corev1.SecurityContext{
					RunAsNonRoot: ptr.To(true), ReadOnlyRootFilesystem: ptr.To(true),
					AllowPrivilegeEscalation: ptr.To(false),
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
					SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
				},
			}},
		},
	}
	if _, err := cs.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc, err := cs.CoreV1().Services("default").Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "hello", Namespace: "default"},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	applied := time.Now()
	waitPodReady(t, cs, "default", "hello")
	t.Logf("Pod Running %s after create", time.Since(applied).Round(time.Millisecond))

	// Through the Service IP, from inside the namespace (as the API server
	// dials a webhook's Service).
	body := getInNode(t, c, "http://"+net.JoinHostPort(svc.Spec.ClusterIP, "80")+"/")
	if !strings.HasPrefix(body, "hello from hello") {
		t.Fatalf("GET through Service %s: %q", svc.Spec.ClusterIP, body)
	}
	// The API server reaches the kubelet (logs).
	logs, err := cs.CoreV1().Pods("default").GetLogs("hello", &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("pod logs through the kubelet: %v: %s", err, logs)
	}

	ns, cg := c.node.ns, c.node.cgroups
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if pids := ns.members(); len(pids) > 0 {
		t.Errorf("processes left in the node's namespace: %v", pids)
	}
	for _, h := range hierarchies() {
		if _, err := os.Stat(filepath.Join(h, cg.root)); err == nil {
			t.Errorf("cgroup left behind: %s", filepath.Join(h, cg.root))
		}
	}
	if leftover := mountsUnder(c.Dir); len(leftover) > 0 {
		t.Errorf("mounts left behind: %v", leftover)
	}
}

func waitPodReady(t *testing.T, cs kubernetes.Interface, ns, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	for {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			for _, cond := range p.Status.Conditions {
				if cond.Type == corev1.PodReady && cond.Status == corev1.ConditionTrue {
					return
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("pod %s/%s not ready: %v; status %+v", ns, name, err, p.Status)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func getInNode(t *testing.T, c *Cluster, u string) string {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: c.DialInNode}}
	var last error
	for range 50 {
		resp, err := client.Get(u)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return string(b)
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("GET %s from inside the node: %v", u, last)
	return ""
}

// mountsUnder lists the host's mount points below dir.
func mountsUnder(dir string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return []string{fmt.Sprint(err)}
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if fields := strings.Fields(s.Text()); len(fields) > 4 && strings.HasPrefix(fields[4], dir) {
			out = append(out, fields[4])
		}
	}
	return out
}
