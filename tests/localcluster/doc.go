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
// namespace "default" (which proves the controllers run). There is no
// scheduler and no kubelet: Pods stay Pending.
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
// The command tests/localcluster/cmd/localcluster runs the same cluster
// detached for development (`up`, `down`, `status`).
package localcluster
