package localcluster

import (
	"path/filepath"
	"strconv"
	"strings"
)

// serviceClusterIPRange is the Service IP range; the API server's Service
// "kubernetes" gets 10.0.0.1.
const serviceClusterIPRange = "10.0.0.0/24"

// controllers are the kube-controller-manager controllers the cluster runs:
// enough for Deployments to produce ReplicaSets and Pods, for namespaces
// to be deleted, for garbage collection, for service accounts and their
// tokens and for the aggregated RBAC roles (admin, edit, view).
var controllers = []string{
	"deployment-controller",
	"replicaset-controller",
	"garbage-collector-controller",
	"namespace-controller",
	"serviceaccount-controller",
	"serviceaccount-token-controller",
	"root-ca-certificate-publisher-controller",
	"clusterrole-aggregation-controller",
}

// layout names the files and folders of a cluster folder.
type layout struct {
	dir                         string
	pki                         string // certificates and keys
	etcdData                    string
	logs                        string
	kubeconfig                  string // admin
	controllerManagerKubeconfig string
}

func newLayout(dir string) layout {
	return layout{
		dir:                         dir,
		pki:                         filepath.Join(dir, "pki"),
		etcdData:                    filepath.Join(dir, "etcd-data"),
		logs:                        filepath.Join(dir, "logs"),
		kubeconfig:                  filepath.Join(dir, "kubeconfig"),
		controllerManagerKubeconfig: filepath.Join(dir, "pki", "controller-manager.kubeconfig"),
	}
}

func (l layout) logPath(name string) string { return filepath.Join(l.logs, name+".log") }

// ports are the loopback ports of one start attempt.
type ports struct {
	etcdClient, etcdPeer, apiServer int
}

func url(scheme string, port int) string {
	return scheme + "://" + loopback + ":" + strconv.Itoa(port)
}

func etcdArgs(l layout, p ports) []string {
	client, peer := url("http", p.etcdClient), url("http", p.etcdPeer)
	return []string{
		"--name=localcluster",
		"--data-dir=" + l.etcdData,
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=localcluster=" + peer,
		"--unsafe-no-fsync=true",
		"--log-level=warn",
		"--log-outputs=stderr",
	}
}

func apiServerArgs(l layout, f pkiFiles, p ports, extra []string) []string {
	args := []string{
		"--etcd-servers=" + url("http", p.etcdClient),
		"--bind-address=" + loopback,
		"--advertise-address=" + loopback,
		"--secure-port=" + strconv.Itoa(p.apiServer),
		"--cert-dir=" + l.pki,
		"--tls-cert-file=" + f.servingCert,
		"--tls-private-key-file=" + f.servingKey,
		"--client-ca-file=" + f.caCert,
		"--service-account-key-file=" + f.saPub,
		"--service-account-signing-key-file=" + f.saKey,
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-cluster-ip-range=" + serviceClusterIPRange,
		"--authorization-mode=Node,RBAC",
		"--allow-privileged=true",
		// The Endpoints of Service "kubernetes" may not hold a loopback
		// address; nothing runs in the cluster that would use them.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
	}
	return append(args, extra...)
}

func controllerManagerArgs(l layout, f pkiFiles) []string {
	return []string{
		"--kubeconfig=" + l.controllerManagerKubeconfig,
		"--controllers=" + strings.Join(controllers, ","),
		"--use-service-account-credentials=true",
		"--service-account-private-key-file=" + f.saKey,
		"--root-ca-file=" + f.caCert,
		"--leader-elect=false",
		"--secure-port=0",
		"--profiling=false",
	}
}
