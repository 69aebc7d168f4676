// Package localcluster runs a real Kubernetes control plane on loopback for
// end-to-end tests and local development: etcd, kube-apiserver and
// kube-controller-manager, built by `make tools` into <repo root>/.cache/bin
// (or the folder named by env GITWARD_TOOLS_BIN).
//
// # Lifecycle
//
// [Start] generates a fresh PKI in Go (a CA, the API server's serving
// certificate for 127.0.0.1/localhost, an admin client certificate in group
// system:masters, a client certificate for kube-controller-manager under its
// real identity system:kube-controller-manager, and the service-account
// signing key), picks free ports on 127.0.0.1, starts the three processes in
// the cluster folder, writes an admin kubeconfig at [Cluster.Kubeconfig] and
// returns once /readyz answers ok and the ServiceAccount "default" exists in
// namespace "default" (which proves the controllers run). Without
// Options.Node there is no scheduler and no kubelet: Pods stay Pending.
//
// With [Options.WebhookClientCert], kube-apiserver also authenticates to the
// admission webhooks it calls, as an operator would configure it: an
// AdmissionConfiguration names a kubeconfig that presents a client
// certificate for [WebhookClientName], signed by a CA of its own
// ([Cluster.WebhookClientCAFile]), so a webhook can require it.
//
// Each process logs to <Dir>/logs/<name>.log; when startup fails, the error
// carries the tail of the log of the process that failed. If a port picked as
// free was taken in the meantime, Start retries with new ports.
//
// [Cluster.Stop] stops kube-controller-manager, kube-apiserver and etcd in
// that order (SIGTERM to the process group, SIGKILL after
// [Options.StopGrace]) and removes the folder if Start created it. Stop is
// idempotent and safe to call from several goroutines.
//
// # Cleanup guarantees
//
// No process outlives the cluster's owner:
//   - each child runs in its own process group, and Stop signals the group;
//   - on Linux each child gets SIGKILL from the kernel (Pdeathsig) as soon as
//     its owner dies, also when a test binary panics, times out or is
//     interrupted. Children are started from a goroutine locked to its own OS
//     thread that lives as long as the cluster, because Pdeathsig fires when
//     the forking thread (not process) exits;
//   - [StartForTest] registers Stop with t.Cleanup, which runs also when the
//     test fails or panics, and logs the tail of every log when it failed.
//
// A temporary folder created by Start is left behind only if its owner is
// killed before Stop runs.
//
// # A real node
//
// With [Options.Node] (or [StartNodeForTest], which skips where a node
// cannot run), Start first creates a network and mount namespace: a holder
// process (`unshare --net --mount --propagation private`) that mounts empty
// tmpfs over /run, /var/lib and /var/log, brings up lo and a bridge cni0
// with the node's address [NodeIP] (10.88.0.1/16), routes the Service range
// (10.0.0.0/24) onto the bridge, and sleeps. Every process of the cluster
// is then started inside it with nsenter: etcd, kube-apiserver (listening on
// 0.0.0.0:6443 there, advertising NodeIP, calling kubelets at their
// InternalIP), kube-controller-manager (plus the node lifecycle,
// EndpointSlice, disruption and Pod GC controllers), containerd (root,
// state, socket, runc root and CNI folders under <Dir>/node), the kubelet
// (cgroupfs, failCgroupV1 false, cgroupRoot a folder of the test process's
// own cgroup, root folder <Dir>/node/kubelet, address NodeIP), kube-proxy
// (iptables, masquerade-all) and kube-scheduler. Start returns once the node
// is Ready and untainted.
//
// Network: the namespace has no interface but lo and the bridge, and no
// route but the bridge's subnet and the Service range, so every address the
// cluster uses (node, Pods, Services, the webhook Service the API server
// dials, the kubelet) exists only inside it and nothing can be sent
// elsewhere. The test process stays in its own namespace: it reaches the
// API server through a forwarder on 127.0.0.1 (Cluster.Server, the
// kubeconfig), and opens sockets inside the namespace with
// [Cluster.ListenInNode] (a Git server Pods clone from) and
// [Cluster.DialInNode] (a Service IP).
//
// Images: [WriteImageArchive] writes an OCI archive without Docker or a
// registry; NodeOptions.Images and [Cluster.ImportImage] import archives
// with `ctr images import`. The sandbox image ([PauseImage]) is built from
// cmd/pause. Nothing is pulled: use imagePullPolicy Never or IfNotPresent.
//
// Cleanup: Stop stops the node's processes, kills every process left in
// the namespace (containerd's shims) and in the node's cgroups (the
// containers), removes those cgroups by path, then ends the holder; the
// kernel removes the namespace's interfaces, iptables rules and mounts with
// its last process, so the host's iptables, mounts and /var are never
// touched. If the test process is killed (SIGKILL) before Stop, the
// components die with it (Pdeathsig) but containers and shims, which are not
// its children, may survive.
//
// Without a node, kube-apiserver runs with --enable-aggregator-routing: a
// Service-routed webhook resolves to its EndpointSlices, of which there are
// none, so the API server fails the call without dialing a Service IP.
//
// The command tests/localcluster/cmd/localcluster runs the same cluster
// detached for development (`up`, `down`, `status`).
package localcluster
