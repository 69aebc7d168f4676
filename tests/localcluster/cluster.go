package localcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// maxAttempts bounds the retries after losing a race for a free port.
const maxAttempts = 3

// errPortTaken marks an attempt that failed because a port was taken.
var errPortTaken = errors.New("port taken")

// Cluster is a running control plane. Its exported fields are read-only.
type Cluster struct {
	// Dir is the cluster's working folder.
	Dir string
	// Kubeconfig is the path of an admin kubeconfig (client certificate in
	// group system:masters, certificates embedded).
	Kubeconfig string
	// Server is the API server's URL, https://127.0.0.1:<port>.
	Server string
	// CACertPEM is the cluster CA; it signed the API server's serving
	// certificate and every client certificate.
	CACertPEM []byte
	// WebhookClientCAPEM and WebhookClientCAFile are the CA of the client
	// certificate (common name WebhookClientName) kube-apiserver presents to
	// admission webhooks, with Options.WebhookClientCert; nil and "" without.
	WebhookClientCAPEM  []byte
	WebhookClientCAFile string
	// WebhookClientCertFile and WebhookClientKeyFile are that certificate
	// and its key (PEM), for a test that speaks to a webhook as the API
	// server does.
	WebhookClientCertFile, WebhookClientKeyFile string

	opts    Options
	layout  layout
	ownsDir bool
	pki     *pki
	files   pkiFiles
	// admissionConfig is the AdmissionConfiguration file, or "" (see
	// Options.WebhookClientCert).
	admissionConfig string
	spawner         *spawner
	procs           []*process // in start order
	node            *node      // with Options.Node

	stopOnce sync.Once
	stopErr  error
}

// Process describes one component process of a Cluster.
type Process struct {
	Name    string // Etcd, KubeAPIServer or KubeControllerManager
	PID     int
	LogFile string
}

// Start starts etcd, kube-apiserver and kube-controller-manager on free
// loopback ports and returns once the control plane is ready. ctx bounds the
// startup only: the cluster runs until Stop. On error nothing is left
// running, and the folder is removed if Start created it.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	if err := o.Complete(); err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	c := &Cluster{opts: o}
	if err := c.prepareDir(); err != nil {
		return nil, err
	}
	var err error
	if c.pki, err = newPKI(time.Now()); err != nil {
		return nil, c.abort(err)
	}
	if c.files, err = c.pki.write(c.layout.pki); err != nil {
		return nil, c.abort(err)
	}
	c.CACertPEM = c.pki.ca.certPEM
	if o.WebhookClientCert {
		if err := c.prepareWebhookClient(time.Now()); err != nil {
			return nil, c.abort(err)
		}
	}
	c.spawner = newSpawner()

	ctx, cancel := context.WithTimeout(ctx, o.StartTimeout)
	defer cancel()
	if o.Node != nil {
		if err := c.prepareNode(ctx); err != nil {
			return nil, c.abort(err)
		}
	}
	for attempt := 1; ; attempt++ {
		err = c.attempt(ctx)
		if err == nil && o.Node != nil {
			if err = c.startNode(ctx); err != nil {
				return nil, c.abort(err)
			}
		}
		if err == nil {
			return c, nil
		}
		c.stopProcesses()
		if attempt == maxAttempts || !errors.Is(err, errPortTaken) || ctx.Err() != nil {
			return nil, c.abort(err)
		}
	}
}

// prepareDir creates the cluster folder, or resets the state Start owns in
// a folder the caller named.
func (c *Cluster) prepareDir() error {
	dir := c.opts.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "localcluster-")
		if err != nil {
			return fmt.Errorf("localcluster: creating a temporary folder: %w", err)
		}
		dir, c.ownsDir = d, true
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("localcluster: creating cluster folder %s: %w", dir, err)
	}
	c.Dir, c.layout = dir, newLayout(dir)
	c.Kubeconfig = c.layout.kubeconfig
	for _, p := range []string{c.layout.pki, c.layout.etcdData, c.layout.logs, c.layout.kubeconfig} {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("localcluster: resetting %s: %w", p, err)
		}
	}
	if err := os.MkdirAll(c.layout.logs, 0o755); err != nil {
		return fmt.Errorf("localcluster: creating %s: %w", c.layout.logs, err)
	}
	return nil
}

// attempt starts the processes on fresh ports and waits for readiness.
func (c *Cluster) attempt(ctx context.Context) error {
	free, err := freePorts(3)
	if err != nil {
		return err
	}
	p := ports{etcdClient: free[0], etcdPeer: free[1], apiServer: free[2]}
	c.Server = url("https", p.apiServer)
	internal := c.Server
	if c.node != nil {
		// Inside the namespace the ports are ours; the test reaches the
		// API server through the forwarder.
		p.apiServer = apiServerNS
		internal = url("https", apiServerNS)
		c.Server = url("https", c.nodeForwardPort())
	}
	if err := os.RemoveAll(c.layout.etcdData); err != nil {
		return fmt.Errorf("localcluster: resetting %s: %w", c.layout.etcdData, err)
	}
	if err := writeKubeconfig(c.layout.kubeconfig, c.Server, c.CACertPEM, adminUser, c.pki.admin); err != nil {
		return err
	}
	if err := writeKubeconfig(c.layout.controllerManagerKubeconfig, internal, c.CACertPEM,
		controllerManagerUser, c.pki.controllerManager); err != nil {
		return err
	}
	c.procs = nil
	kcmArgs := controllerManagerArgs(c.layout, c.files)
	if c.node != nil {
		kcmArgs = withNodeControllers(kcmArgs)
	}
	for _, spec := range []processSpec{
		{name: Etcd, args: etcdArgs(c.layout, p)},
		{name: KubeAPIServer, args: apiServerArgs(c.layout, c.files, p, c.apiServerExtraFlags())},
		{name: KubeControllerManager, args: kcmArgs},
	} {
		spec.binary, spec.dir, spec.logPath = c.opts.binary(spec.name), c.Dir, c.layout.logPath(spec.name)
		if c.node != nil {
			spec.binary, spec.args = c.wrapInNode(spec.binary, spec.args, c.Dir)
		}
		proc, err := startProcess(c.spawner, spec)
		if err != nil {
			return err
		}
		c.procs = append(c.procs, proc)
	}
	return c.waitReady(ctx)
}

// prepareWebhookClient makes and writes the identity kube-apiserver
// presents to admission webhooks.
func (c *Cluster) prepareWebhookClient(now time.Time) error {
	w, err := newWebhookClient(now)
	if err != nil {
		return err
	}
	f, err := w.write(c.layout.pki)
	if err != nil {
		return err
	}
	c.admissionConfig = f.admissionConfig
	c.WebhookClientCAPEM, c.WebhookClientCAFile = w.ca.certPEM, f.caCert
	c.WebhookClientCertFile, c.WebhookClientKeyFile = f.cert, f.key
	return nil
}

// apiServerExtraFlags are the flags Options add to kube-apiserver's; the
// caller's ExtraAPIServerFlags come last, so they win.
func (c *Cluster) apiServerExtraFlags() []string {
	var flags []string
	if c.admissionConfig != "" {
		flags = append(flags, "--admission-control-config-file="+c.admissionConfig)
	}
	if c.node != nil {
		flags = append(flags, nodeAPIServerFlags(c.files)...)
	} else {
		// Without a node no Service has a network behind it: the API server
		// resolves a Service-routed webhook to its EndpointSlices (none, as
		// nothing creates them) and fails the call locally instead of
		// dialing a Service IP, which would leave the machine.
		flags = append(flags, "--enable-aggregator-routing=true")
	}
	return append(flags, c.opts.ExtraAPIServerFlags...)
}

// RESTConfig returns a new admin client configuration (group
// system:masters) for the cluster.
func (c *Cluster) RESTConfig() *rest.Config {
	return restConfig(c.Server, c.CACertPEM, c.pki.admin)
}

// Processes returns the cluster's component processes in start order
// (with a node: the namespace's holder's is not listed, the node's follow
// the control plane's).
func (c *Cluster) Processes() []Process {
	procs := c.allProcs()
	out := make([]Process, 0, len(procs))
	for _, p := range procs {
		out = append(out, Process{Name: p.name, PID: p.pid(), LogFile: p.logPath})
	}
	return out
}

// Wait blocks until ctx is done, then returns nil, or until a component
// exits, then returns an error wrapping ErrProcessExited with the tail of its
// log. It does not stop the cluster.
func (c *Cluster) Wait(ctx context.Context) error {
	exited := make(chan *process, len(c.procs))
	for _, p := range c.procs {
		go func() {
			select {
			case <-p.done:
				exited <- p
			case <-ctx.Done():
			}
		}()
	}
	select {
	case p := <-exited:
		return p.exitError()
	case <-ctx.Done():
		return nil
	}
}

// Stop stops kube-controller-manager, kube-apiserver and etcd (SIGTERM to
// each process group, SIGKILL after Options.StopGrace) and removes the folder
// if Start created it. It is idempotent; later calls return the first
// result.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.stopErr = c.stopAll()
		if c.ownsDir {
			if err := os.RemoveAll(c.Dir); err != nil && c.stopErr == nil {
				c.stopErr = fmt.Errorf("localcluster: removing %s: %w", c.Dir, err)
			}
		}
	})
	return c.stopErr
}

// stopAll stops the node (when there is one) and the control plane, and
// ends the spawner's thread.
func (c *Cluster) stopAll() error {
	nodeErr := c.stopNode()
	c.stopProcesses()
	closeErr := c.closeNode()
	c.spawner.close()
	return errors.Join(nodeErr, closeErr)
}

// stopProcesses stops the processes in reverse start order.
func (c *Cluster) stopProcesses() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		c.procs[i].stop(c.opts.StopGrace)
	}
}

// abort cleans up after a failed Start and returns err.
func (c *Cluster) abort(err error) error {
	if c.spawner != nil {
		_ = c.stopAll()
	}
	if c.ownsDir {
		_ = os.RemoveAll(c.Dir)
	}
	return err
}
