package localcluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Binaries and files of a node. containerd, runc and the CNI plugins come
// from Debian packages (hack/node-packages.sh); the kubelet, kube-proxy and
// kube-scheduler from tests/tools (hack/tools.sh).
const (
	Containerd    = "containerd"
	Kubelet       = "kubelet"
	KubeProxy     = "kube-proxy"
	KubeScheduler = "kube-scheduler"
	cniBinDir     = "/usr/lib/cni"
	// PauseImage is the Pod sandbox image the node builds and imports
	// (cmd/pause); nothing pulls it.
	PauseImage = "localcluster.local/pause:1"
)

// nodeLayout names the node's folders, all below <cluster dir>/node.
type nodeLayout struct {
	dir, containerdRoot, containerdState, containerdConfig, socket  string
	cniConf, cniIPAM, kubeletRoot, kubeletConfig, kubeletKubeconfig string
	podLogs, proxyConfig, proxyKubeconfig, schedulerKubeconfig      string
	runcRoot, images                                                string
}

func newNodeLayout(clusterDir string) nodeLayout {
	d := filepath.Join(clusterDir, "node")
	return nodeLayout{
		dir:                 d,
		containerdRoot:      filepath.Join(d, "containerd", "root"),
		containerdState:     filepath.Join(d, "containerd", "state"),
		containerdConfig:    filepath.Join(d, "containerd", "config.toml"),
		socket:              filepath.Join(d, "containerd", "containerd.sock"),
		runcRoot:            filepath.Join(d, "containerd", "runc"),
		cniConf:             filepath.Join(d, "cni", "net.d"),
		cniIPAM:             filepath.Join(d, "cni", "ipam"),
		kubeletRoot:         filepath.Join(d, "kubelet"),
		kubeletConfig:       filepath.Join(d, "kubelet-config.yaml"),
		kubeletKubeconfig:   filepath.Join(d, "kubelet.kubeconfig"),
		podLogs:             filepath.Join(d, "pod-logs"),
		proxyConfig:         filepath.Join(d, "kube-proxy-config.yaml"),
		proxyKubeconfig:     filepath.Join(d, "kube-proxy.kubeconfig"),
		schedulerKubeconfig: filepath.Join(d, "kube-scheduler.kubeconfig"),
		images:              filepath.Join(d, "images"),
	}
}

// containerdConfig: private root, state, sockets and CNI folders; the
// settings each fixed an error on a sandboxed cgroup-v1 machine (see
// /docs/ARCHITECTURE.md, "A real node").
func containerdConfig(l nodeLayout) string {
	return `version = 2
root = "` + l.containerdRoot + `"
state = "` + l.containerdState + `"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "` + l.socket + `"
[ttrpc]
  address = "` + l.socket + `.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "` + filepath.Join(l.containerdRoot, "opt") + `"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "` + PauseImage + `"
  # The sandbox lacks CAP_SYS_RESOURCE: without this runc fails with
  # "can't get final child's PID from pipe".
  restrict_oom_score_adj = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "` + l.runcRoot + `"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "` + cniBinDir + `"
    conf_dir = "` + l.cniConf + `"
`
}

// cniConfig: one bridge (made beforehand with the node's address, see
// holderScript) and host-local addresses. isGateway turns on forwarding
// inside the namespace only: it has no interface that leads anywhere else.
func cniConfig(l nodeLayout) string {
	return `{
  "cniVersion": "1.0.0",
  "name": "localcluster",
  "plugins": [{
    "type": "bridge",
    "bridge": "` + bridgeName + `",
    "isGateway": true,
    "ipMasq": false,
    "hairpinMode": true,
    "ipam": {
      "type": "host-local",
      "dataDir": "` + l.cniIPAM + `",
      "ranges": [[{"subnet": "` + podCIDR + `", "rangeStart": "10.88.1.1", "gateway": "` + NodeIP + `"}]],
      "routes": [{"dst": "0.0.0.0/0"}]
    }
  }]
}
`
}

// kubeletConfig: cgroupfs on cgroup v1 (failCgroupV1 false), a private
// root folder and cgroupRoot, the node's address; x509 client
// authentication for the API server's calls (logs, exec).
func kubeletConfig(l nodeLayout, f pkiFiles, cgroupRoot string) string {
	return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: ` + cgroupRoot + `
address: ` + NodeIP + `
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
containerRuntimeEndpoint: unix://` + l.socket + `
imageServiceEndpoint: unix://` + l.socket + `
podLogsDir: ` + l.podLogs + `
resolvConf: ""
failSwapOn: false
registerNode: true
serializeImagePulls: false
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: ` + f.caCert + `}
authorization:
  mode: AlwaysAllow
evictionHard:
  memory.available: "1Mi"
  nodefs.available: "1%"
  imagefs.available: "1%"
  nodefs.inodesFree: "1%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
nodeStatusUpdateFrequency: 2s
syncFrequency: 5s
fileCheckFrequency: 5s
`
}

// kubeProxyConfig: iptables in the namespace; masqueradeAll so that a Pod
// reaching a Service backed by a Pod on the same bridge gets its replies
// through the node. The conntrack limits are left as they are (they are
// not per network namespace).
func kubeProxyConfig(l nodeLayout, nodeName string) string {
	return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: ` + l.proxyKubeconfig + `
mode: iptables
hostnameOverride: ` + nodeName + `
clusterCIDR: ` + podCIDR + `
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
iptables:
  masqueradeAll: true
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
`
}

func (l nodeLayout) write(files map[string]string) error {
	for _, d := range []string{l.containerdRoot, l.containerdState, l.runcRoot, l.cniConf, l.cniIPAM, l.kubeletRoot, l.podLogs, l.images} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("localcluster: creating %s: %w", d, err)
		}
	}
	for p, content := range files {
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return fmt.Errorf("localcluster: writing %s: %w", p, err)
		}
	}
	return nil
}

func kubeletArgs(l nodeLayout, nodeName string) []string {
	return []string{
		"--config=" + l.kubeletConfig,
		"--kubeconfig=" + l.kubeletKubeconfig,
		"--root-dir=" + l.kubeletRoot,
		"--hostname-override=" + nodeName,
		"--node-ip=" + NodeIP,
		"--v=1",
	}
}

func schedulerArgs(l nodeLayout) []string {
	return []string{
		"--kubeconfig=" + l.schedulerKubeconfig,
		"--authentication-kubeconfig=" + l.schedulerKubeconfig,
		"--authorization-kubeconfig=" + l.schedulerKubeconfig,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(10259),
	}
}

// nodeAPIServerFlags make kube-apiserver (inside the namespace) listen on
// the node's address too, publish it as Service "kubernetes"'s endpoint
// (Pods reach it through kube-proxy) and call kubelets at their
// InternalIP with a client certificate.
func nodeAPIServerFlags(f pkiFiles) []string {
	return []string{
		"--bind-address=0.0.0.0",
		"--advertise-address=" + NodeIP,
		"--endpoint-reconciler-type=lease",
		"--kubelet-preferred-address-types=InternalIP",
		"--kubelet-client-certificate=" + f.adminCert,
		"--kubelet-client-key=" + f.adminKey,
	}
}

// nodeControllers are the controllers a node needs on top of controllers:
// the node's taints, Services' endpoints, PodDisruptionBudgets, Pod GC.
var nodeControllers = []string{
	"node-lifecycle-controller",
	"taint-eviction-controller",
	"endpointslice-controller",
	"endpoints-controller",
	"disruption-controller",
	"pod-garbage-collector-controller",
}

func withNodeControllers(args []string) []string {
	for i, a := range args {
		if rest, ok := strings.CutPrefix(a, "--controllers="); ok {
			args[i] = "--controllers=" + rest + "," + strings.Join(nodeControllers, ",")
		}
	}
	return args
}
