package localcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Addresses inside a node's network namespace. The bridge is the only
// interface besides lo, so no address can route off the machine: a packet
// to anything else has no route.
const (
	// NodeIP is the bridge's address: the node's InternalIP, the
	// kubelet's address, the API server's advertised address and the
	// gateway of every Pod.
	NodeIP       = "10.88.0.1"
	podCIDR      = "10.88.0.0/16"
	bridgeName   = "cni0"
	apiServerNS  = 6443 // kube-apiserver's port inside the namespace
	nsReadyFile  = "netns.ready"
	nsHolderName = "netns-holder"
)

// netns is a network and mount namespace, created by a holder process
// (unshare) that sleeps until Stop. Every node process is started in it
// with nsenter, so they share its addresses, its iptables and its mounts;
// the test process itself stays outside and reaches in only through
// sockets it opens inside (dial, listen).
type netns struct {
	holder *process
	fd     *os.File // /proc/<holder>/ns/net, for setns
	inode  uint64   // identifies the namespace's processes on Stop
}

// holderScript prepares the namespace, then execs sleep so that the holder
// keeps it alive. The mount namespace is private (no propagation to the
// host) and gets empty tmpfs over /run, /var/lib and /var/log: containerd,
// runc, the CNI plugins and the kubelet write there by default (sockets,
// /var/lib/cni, /var/log/pods, /var/log/containers), and everything they
// write or mount vanishes with the namespace.
func holderScript(readyFile string) string {
	return strings.Join([]string{
		"set -e",
		"mount -t tmpfs -o mode=0755 tmpfs /run",
		"mount -t tmpfs -o mode=0755 tmpfs /var/lib",
		"mount -t tmpfs -o mode=0755 tmpfs /var/log",
		"ip link set lo up",
		// The bridge has its address before any Pod starts.
		"ip link add " + bridgeName + " type bridge",
		"ip addr add " + NodeIP + "/16 dev " + bridgeName,
		"ip link set " + bridgeName + " up",
		// Service IPs get a route onto the bridge: a connection from the
		// namespace itself (the API server calling a webhook's Service)
		// needs a route before kube-proxy's DNAT rewrites it to a Pod.
		"ip route add " + serviceClusterIPRange + " dev " + bridgeName,
		"echo ok > " + readyFile,
		"exec sleep infinity",
	}, "\n")
}

// startNetns starts the holder and waits until the namespace is ready.
func startNetns(ctx context.Context, sp *spawner, dir, logs string) (*netns, error) {
	for _, tool := range []string{"unshare", "nsenter", "ip", "mount"} {
		if _, err := lookPath(tool); err != nil {
			return nil, fmt.Errorf("localcluster: %w: %s not found (util-linux, iproute2)", ErrNodeUnavailable, tool)
		}
	}
	ready := filepath.Join(dir, nsReadyFile)
	_ = os.Remove(ready)
	proc, err := startProcess(sp, processSpec{
		name:    nsHolderName,
		binary:  "unshare",
		args:    []string{"--net", "--mount", "--propagation", "private", "sh", "-c", holderScript(ready)},
		dir:     dir,
		logPath: filepath.Join(logs, nsHolderName+".log"),
	})
	if err != nil {
		return nil, err
	}
	n := &netns{holder: proc}
	for {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if proc.exited() {
			return nil, fmt.Errorf("localcluster: creating the node's network namespace: %w", proc.exitError())
		}
		select {
		case <-ctx.Done():
			proc.stop(time.Second)
			return nil, fmt.Errorf("localcluster: creating the node's network namespace: %w", context.Cause(ctx))
		case <-time.After(20 * time.Millisecond):
		}
	}
	nsPath := "/proc/" + strconv.Itoa(proc.pid()) + "/ns/net"
	if n.fd, err = os.Open(nsPath); err != nil {
		proc.stop(time.Second)
		return nil, fmt.Errorf("localcluster: opening %s: %w", nsPath, err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(n.fd.Fd()), &st); err != nil {
		n.close(time.Second)
		return nil, fmt.Errorf("localcluster: stat %s: %w", nsPath, err)
	}
	n.inode = st.Ino
	return n, nil
}

// wrap returns the command that runs binary with args inside the
// namespace, in folder dir.
func (n *netns) wrap(binary string, args []string, dir string) (string, []string) {
	return "nsenter", append([]string{
		"--target=" + strconv.Itoa(n.holder.pid()), "--net", "--mount", "--wd=" + dir, "--", binary,
	}, args...)
}

// do runs f on an OS thread that has entered the namespace, so that the
// sockets f creates live there; the thread returns to the test's own
// namespace afterwards (or is discarded when it cannot).
func (n *netns) do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		self, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer self.Close()
		if err := setns(n.fd); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("localcluster: entering the node's network namespace: %w", err)
			return
		}
		ferr := f()
		if err := setns(self); err != nil {
			// Stay locked: Go ends the thread with this goroutine.
			errc <- errors.Join(ferr, fmt.Errorf("localcluster: leaving the node's network namespace: %w", err))
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

func setns(f *os.File) error { return unix.Setns(int(f.Fd()), unix.CLONE_NEWNET) }

// dial connects to addr from inside the namespace.
func (n *netns) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := n.do(func() error {
		var err error
		c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

// listen listens on addr inside the namespace.
func (n *netns) listen(network, addr string) (net.Listener, error) {
	var l net.Listener
	err := n.do(func() error {
		var err error
		l, err = net.Listen(network, addr)
		return err
	})
	return l, err
}

// members returns the processes in the namespace, the holder included.
func (n *netns) members() []int {
	want := "net:[" + strconv.FormatUint(n.inode, 10) + "]"
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if link, err := os.Readlink("/proc/" + e.Name() + "/ns/net"); err == nil && link == want {
			pids = append(pids, pid)
		}
	}
	return pids
}

// close kills every process left in the namespace (containerd's shims and
// the containers' processes are not our children and survive their
// parents), then the holder; with the last process the kernel removes the
// namespace's interfaces, iptables rules and mounts.
func (n *netns) close(grace time.Duration) {
	deadline := time.Now().Add(grace)
	for {
		pids := n.members()
		for _, pid := range pids {
			if pid != n.holder.pid() {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if len(pids) <= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	n.holder.stop(grace)
	if n.fd != nil {
		_ = n.fd.Close()
	}
}
