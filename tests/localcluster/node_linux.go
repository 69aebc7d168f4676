package localcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// node is the running node of a Cluster (Options.Node).
type node struct {
	opts    NodeOptions
	layout  nodeLayout
	ns      *netns
	fwd     *forwarder
	cgroups *nodeCgroups
	procs   []*process // containerd, kubelet, kube-proxy, kube-scheduler
}

// nodeBinaries are the binaries a node needs beyond the control plane's:
// from the tools folder (built) and from PATH (Debian packages).
func (o *Options) checkNodeBinaries() error {
	for _, name := range []string{Kubelet, KubeProxy, KubeScheduler} {
		p := filepath.Join(o.BinDir, name)
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o111 == 0 {
			return fmt.Errorf("localcluster: %w: %s not found in %s: run `make tools`", ErrNodeUnavailable, name, o.BinDir)
		}
	}
	for _, name := range []string{Containerd, "containerd-shim-runc-v2", "runc", "ctr", "iptables", "unshare", "nsenter", "ip"} {
		if _, err := lookPath(name); err != nil {
			return fmt.Errorf("localcluster: %w: %s not found: run `make tools` as root where apt-get works (hack/node-packages.sh)", ErrNodeUnavailable, name)
		}
	}
	if _, err := os.Stat(filepath.Join(cniBinDir, "bridge")); err != nil {
		return fmt.Errorf("localcluster: %w: CNI plugins missing in %s (Debian package containernetworking-plugins): run `make tools`", ErrNodeUnavailable, cniBinDir)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("localcluster: %w: a node needs root (namespaces, mounts, cgroups)", ErrNodeUnavailable)
	}
	return nil
}

func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/bin"} {
		if p := filepath.Join(d, name); isExecutable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not in PATH", name)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode().Perm()&0o111 != 0
}

// prepareNode creates the namespace and the forwarder, before the control
// plane starts inside the namespace.
func (c *Cluster) prepareNode(ctx context.Context) error {
	n := &node{opts: *c.opts.Node, layout: newNodeLayout(c.Dir)}
	c.node = n
	if err := os.RemoveAll(n.layout.dir); err != nil {
		return fmt.Errorf("localcluster: resetting %s: %w", n.layout.dir, err)
	}
	var err error
	if n.ns, err = startNetns(ctx, c.spawner, c.Dir, c.layout.logs); err != nil {
		return err
	}
	if n.fwd, err = newForwarder(n.ns, net.JoinHostPort(loopback, strconv.Itoa(apiServerNS))); err != nil {
		return err
	}
	return nil
}

// startNode starts containerd, imports the pause image and Options.Node's
// images, then starts the kubelet, kube-proxy and kube-scheduler, and
// waits until the node is Ready.
func (c *Cluster) startNode(ctx context.Context) error {
	n := c.node
	l := n.layout
	var err error
	if n.cgroups, err = makeNodeCgroups("localcluster-node-" + strconv.Itoa(os.Getpid())); err != nil {
		return err
	}
	internal := url("https", apiServerNS)
	ca := c.pki.ca
	now := time.Now()
	for _, k := range []struct {
		path, user string
		groups     []string
	}{
		{l.kubeletKubeconfig, "system:node:" + n.opts.Name, []string{"system:nodes"}},
		{l.proxyKubeconfig, "system:kube-proxy", nil},
		{l.schedulerKubeconfig, "system:kube-scheduler", nil},
	} {
		kp, err := ca.issue(now, clientTemplate(k.user, k.groups...))
		if err != nil {
			return fmt.Errorf("localcluster: certificate for %s: %w", k.user, err)
		}
		if err := os.MkdirAll(filepath.Dir(k.path), 0o755); err != nil {
			return err
		}
		if err := writeKubeconfig(k.path, internal, c.CACertPEM, k.user, kp); err != nil {
			return err
		}
	}
	if err := l.write(map[string]string{
		l.containerdConfig: containerdConfig(l),
		filepath.Join(l.cniConf, "10-localcluster.conflist"): cniConfig(l),
		l.kubeletConfig: kubeletConfig(l, c.files, n.cgroups.root),
		l.proxyConfig:   kubeProxyConfig(l, n.opts.Name),
	}); err != nil {
		return err
	}
	containerd, err := c.startInNode(Containerd, mustLook(Containerd), []string{"--config=" + l.containerdConfig})
	if err != nil {
		return err
	}
	if err := waitFor(ctx, containerd, "containerd's socket "+l.socket, func() bool {
		return c.ctr(ctx, "version") == nil
	}); err != nil {
		return err
	}
	if err := c.importPause(ctx); err != nil {
		return err
	}
	for _, img := range n.opts.Images {
		if err := c.ImportImage(ctx, img); err != nil {
			return err
		}
	}
	kubelet, err := c.startInNode(Kubelet, c.opts.binary(Kubelet), kubeletArgs(l, n.opts.Name))
	if err != nil {
		return err
	}
	if _, err := c.startInNode(KubeProxy, c.opts.binary(KubeProxy), []string{"--config=" + l.proxyConfig}); err != nil {
		return err
	}
	if _, err := c.startInNode(KubeScheduler, c.opts.binary(KubeScheduler), schedulerArgs(l)); err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		return err
	}
	return waitFor(ctx, kubelet, "node "+n.opts.Name+" Ready and untainted", func() bool {
		rctx, cancel := context.WithTimeout(ctx, requestTimeout)
		defer cancel()
		nd, err := cs.CoreV1().Nodes().Get(rctx, n.opts.Name, metav1.GetOptions{})
		if err != nil || len(nd.Spec.Taints) > 0 {
			return false
		}
		for _, cond := range nd.Status.Conditions {
			if cond.Type == corev1.NodeReady {
				return cond.Status == corev1.ConditionTrue
			}
		}
		return false
	})
}

// allProcs are the control plane's processes, then the node's.
func (c *Cluster) allProcs() []*process {
	if c.node == nil {
		return c.procs
	}
	return append(append([]*process(nil), c.procs...), c.node.procs...)
}

func (c *Cluster) nodeForwardPort() int { return c.node.fwd.port() }

func (c *Cluster) wrapInNode(binary string, args []string, dir string) (string, []string) {
	return c.node.ns.wrap(binary, args, dir)
}

func mustLook(name string) string {
	p, _ := lookPath(name)
	return p
}

// startInNode starts a node process inside the namespace.
func (c *Cluster) startInNode(name, binary string, args []string) (*process, error) {
	bin, wargs := c.node.ns.wrap(binary, args, c.node.layout.dir)
	p, err := startProcess(c.spawner, processSpec{name: name, binary: bin, args: wargs, dir: c.Dir, logPath: c.layout.logPath(name)})
	if err != nil {
		return nil, err
	}
	c.node.procs = append(c.node.procs, p)
	return p, nil
}

// waitFor polls ok until it holds, ctx ends or p exits.
func waitFor(ctx context.Context, p *process, what string, ok func() bool) error {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for !ok() {
		if p.exited() {
			return fmt.Errorf("localcluster: waiting for %s: %w", what, p.exitError())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("localcluster: %w: waiting for %s: %w; %s log ends with:\n%s",
				ErrNotReady, what, context.Cause(ctx), p.name, p.tail())
		case <-t.C:
		}
	}
	return nil
}

// ctr runs containerd's client against the node's containerd, in the
// namespace Kubernetes uses.
func (c *Cluster) ctr(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, mustLook("ctr"), append([]string{"--address", c.node.layout.socket, "--namespace", "k8s.io"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("localcluster: ctr %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// ImportImage imports an OCI (or docker) image archive into the node's
// containerd, under the name the archive carries; Pods then run it with
// imagePullPolicy Never or IfNotPresent.
func (c *Cluster) ImportImage(ctx context.Context, archive string) error {
	if c.node == nil {
		return errors.New("localcluster: ImportImage needs a cluster started with Options.Node")
	}
	return c.ctr(ctx, "images", "import", "--no-unpack=false", archive)
}

var pauseOnce struct {
	sync.Mutex
	bin []byte
}

// importPause builds cmd/pause (once per test binary) and imports it as
// PauseImage.
func (c *Cluster) importPause(ctx context.Context) error {
	pauseOnce.Lock()
	bin := pauseOnce.bin
	if bin == nil {
		b, err := BuildStatic(modulePath + "/tests/localcluster/cmd/pause")
		if err != nil {
			pauseOnce.Unlock()
			return err
		}
		pauseOnce.bin, bin = b, b
	}
	pauseOnce.Unlock()
	archive := filepath.Join(c.node.layout.images, "pause.tar")
	if err := WriteImageArchive(archive, ImageSpec{
		Ref: PauseImage, Files: map[string][]byte{"pause": bin}, Entrypoint: []string{"/pause"}, User: "65535:65535",
	}); err != nil {
		return err
	}
	return c.ImportImage(ctx, archive)
}

// stopNode stops the node's processes in reverse order, kills what is left
// in the namespace and in the node's cgroups, and removes the cgroups.
func (c *Cluster) stopNode() error {
	n := c.node
	if n == nil {
		return nil
	}
	for i := len(n.procs) - 1; i >= 0; i-- {
		n.procs[i].stop(c.opts.StopGrace)
	}
	var errs []error
	if n.cgroups != nil {
		n.cgroups.kill()
	}
	return errors.Join(errs...)
}

// closeNode runs after the control plane stopped: the namespace and the
// forwarder go, then the cgroups.
func (c *Cluster) closeNode() error {
	n := c.node
	if n == nil {
		return nil
	}
	if n.fwd != nil {
		n.fwd.close()
	}
	if n.ns != nil {
		n.ns.close(c.opts.StopGrace)
	}
	if n.cgroups != nil {
		return n.cgroups.remove(c.opts.StopGrace)
	}
	return nil
}

// ListenInNode listens on addr inside the node's network namespace, e.g.
// NodeIP+":0" for a server Pods reach (a Git server).
func (c *Cluster) ListenInNode(network, addr string) (net.Listener, error) {
	if c.node == nil {
		return nil, errors.New("localcluster: ListenInNode needs a cluster started with Options.Node")
	}
	return c.node.ns.listen(network, addr)
}

// DialInNode connects to addr from inside the node's network namespace (a
// Pod or Service address).
func (c *Cluster) DialInNode(ctx context.Context, network, addr string) (net.Conn, error) {
	if c.node == nil {
		return nil, errors.New("localcluster: DialInNode needs a cluster started with Options.Node")
	}
	return c.node.ns.dial(ctx, network, addr)
}

// forwarder accepts on a loopback port of the test's own namespace and
// connects each connection to target inside the node's namespace: how the
// test and the commands it runs reach the API server that lives there.
type forwarder struct {
	l      net.Listener
	ns     *netns
	target string
	wg     sync.WaitGroup
}

func newForwarder(ns *netns, target string) (*forwarder, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		return nil, fmt.Errorf("localcluster: forwarder: %w", err)
	}
	f := &forwarder{l: l, ns: ns, target: target}
	f.wg.Add(1)
	go f.serve()
	return f, nil
}

func (f *forwarder) port() int { return f.l.Addr().(*net.TCPAddr).Port }

func (f *forwarder) serve() {
	defer f.wg.Done()
	for {
		conn, err := f.l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			up, err := f.ns.dial(ctx, "tcp", f.target)
			cancel()
			if err != nil {
				return
			}
			defer up.Close()
			done := make(chan struct{}, 2)
			go func() { _, _ = io.Copy(up, conn); closeWrite(up); done <- struct{}{} }()
			go func() { _, _ = io.Copy(conn, up); closeWrite(conn); done <- struct{}{} }()
			<-done
			<-done
		}()
	}
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
}

func (f *forwarder) close() {
	_ = f.l.Close()
	f.wg.Wait()
}
