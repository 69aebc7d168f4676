package localcluster

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// EnvToolsBin names the environment variable that points at the folder
// holding the etcd, kube-apiserver and kube-controller-manager binaries.
const EnvToolsBin = "GITWARD_TOOLS_BIN"

// modulePath is the module whose root holds .cache/bin.
const modulePath = "github.com/gitward/gitward"

// Names of the processes a Cluster runs; also the names of their binaries
// and, with ".log", of their log files.
const (
	Etcd                  = "etcd"
	KubeAPIServer         = "kube-apiserver"
	KubeControllerManager = "kube-controller-manager"
)

// Defaults for the zero values of Options.
const (
	DefaultStartTimeout = 3 * time.Minute
	DefaultStopGrace    = 10 * time.Second
)

// Sentinel errors. Errors returned by this package wrap them.
var (
	// ErrBinaryMissing means a component binary is not in the binaries folder.
	ErrBinaryMissing = errors.New("component binary missing")
	// ErrNoRepoRoot means no BinDir was given, GITWARD_TOOLS_BIN is unset and
	// no go.mod of module github.com/gitward/gitward was found above the
	// working folder.
	ErrNoRepoRoot = errors.New("repository root not found")
	// ErrNotReady means the control plane did not become ready in time.
	ErrNotReady = errors.New("control plane not ready")
	// ErrProcessExited means a component exited while the cluster ran.
	ErrProcessExited = errors.New("component exited")
	// ErrNodeUnavailable means this machine cannot run a node
	// (Options.Node): a binary or package is missing, or not root. Tests
	// skip on it (SkipIfNoNode).
	ErrNodeUnavailable = errors.New("node unavailable")
)

// DefaultNodeName is the name of the node of Options.Node.
const DefaultNodeName = "node-1"

// NodeOptions asks for a real node: the control plane, containerd, the
// kubelet, kube-proxy and kube-scheduler run in a network namespace Start
// creates (see the package documentation, "A real node").
type NodeOptions struct {
	// Name is the node's name. Default: DefaultNodeName.
	Name string
	// Images are image archives (OCI layout or docker tar) imported into
	// containerd before the kubelet starts.
	Images []string
}

// Options configures Start. The zero value is ready to use.
type Options struct {
	// BinDir holds the etcd, kube-apiserver and kube-controller-manager
	// binaries. Default: env GITWARD_TOOLS_BIN, else <repo root>/.cache/bin
	// where the repo root is the closest folder above the working folder
	// with the go.mod of module github.com/gitward/gitward.
	BinDir string
	// Dir is the cluster's working folder (PKI, etcd data, logs,
	// kubeconfig). It is created if missing, the state Start owns in it
	// (pki/, etcd-data/, logs/, kubeconfig) is reset, and Stop leaves it in
	// place. Default: a new temporary folder that Stop removes.
	Dir string
	// StartTimeout bounds how long Start waits for readiness, on top of the
	// context. Default: DefaultStartTimeout.
	StartTimeout time.Duration
	// StopGrace is how long Stop waits after SIGTERM before SIGKILL, per
	// process. Default: DefaultStopGrace.
	StopGrace time.Duration
	// ExtraAPIServerFlags are appended to kube-apiserver's flags (a later
	// flag wins), e.g. "--v=4".
	ExtraAPIServerFlags []string
	// WebhookClientCert makes kube-apiserver authenticate to the admission
	// webhooks it calls: an AdmissionConfiguration
	// (--admission-control-config-file) gives both webhook admission
	// plugins a kubeconfig that presents a client certificate with common
	// name WebhookClientName, for every webhook host, signed by a CA of its
	// own (Cluster.WebhookClientCAFile). A webhook can then require it.
	WebhookClientCert bool
	// Node, when set, runs a real node joined to the control plane.
	Node *NodeOptions
}

// Complete fills in defaults. It fails if the binaries folder cannot be
// resolved.
func (o *Options) Complete() error {
	if o.StartTimeout <= 0 {
		o.StartTimeout = DefaultStartTimeout
	}
	if o.StopGrace <= 0 {
		o.StopGrace = DefaultStopGrace
	}
	if o.BinDir == "" {
		o.BinDir = os.Getenv(EnvToolsBin)
	}
	if o.BinDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("localcluster: finding the binaries folder: %w", err)
		}
		root, err := findRepoRoot(wd)
		if err != nil {
			return err
		}
		o.BinDir = filepath.Join(root, ".cache", "bin")
	}
	abs, err := filepath.Abs(o.BinDir)
	if err != nil {
		return fmt.Errorf("localcluster: binaries folder %q: %w", o.BinDir, err)
	}
	o.BinDir = abs
	if o.Node != nil && o.Node.Name == "" {
		o.Node.Name = DefaultNodeName
	}
	if o.Dir != "" {
		if o.Dir, err = filepath.Abs(o.Dir); err != nil {
			return fmt.Errorf("localcluster: cluster folder %q: %w", o.Dir, err)
		}
	}
	return nil
}

// Validate checks that every binary is present and executable.
func (o *Options) Validate() error {
	for _, name := range []string{Etcd, KubeAPIServer, KubeControllerManager} {
		p := filepath.Join(o.BinDir, name)
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return fmt.Errorf("localcluster: %w: %s not found or not executable in %s: run `make tools` (or set %s)",
				ErrBinaryMissing, name, o.BinDir, EnvToolsBin)
		}
	}
	if o.Node != nil {
		return o.checkNodeBinaries()
	}
	return nil
}

func (o *Options) binary(name string) string { return filepath.Join(o.BinDir, name) }

// findRepoRoot walks up from dir to the folder whose go.mod declares
// module github.com/gitward/gitward.
func findRepoRoot(dir string) (string, error) {
	for d := dir; ; {
		if mod, err := readModulePath(filepath.Join(d, "go.mod")); err == nil && mod == modulePath {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("localcluster: %w: no go.mod of module %s above %s; set %s or Options.BinDir",
				ErrNoRepoRoot, modulePath, dir, EnvToolsBin)
		}
		d = parent
	}
}

// readModulePath returns the module path declared in a go.mod file.
func readModulePath(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	if err := s.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s: no module line", gomod)
}
