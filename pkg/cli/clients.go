package cli

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
)

// ErrNoConfigFlags is returned when a command that talks to a cluster was
// built without kubeconfig flags.
var ErrNoConfigFlags = errors.New("no cluster configuration: ConfigFlags is nil")

// ClientOptions choose the clients NewClients builds besides the dynamic
// client, and how fast they may talk to the API server.
type ClientOptions struct {
	// QPS and Burst replace client-go's defaults when not zero.
	QPS   float32
	Burst int
	// Namespace reads the namespace of -n, else of the kubeconfig context.
	Namespace bool
	Metadata  bool
	Discovery bool
	Mapper    bool
}

// Clients are the clients of a plugin command, built from its kubeconfig
// flags; those ClientOptions did not ask for are zero.
type Clients struct {
	Namespace string
	Dynamic   dynamic.Interface
	Metadata  metadata.Interface
	Discovery discovery.CachedDiscoveryInterface
	Mapper    meta.RESTMapper
}

// NewClients builds a dynamic client, and the namespace and the clients o
// asks for, from flags. An error names the step that failed ("namespace
// from kubeconfig", "cluster configuration", "dynamic client", …) and wraps
// its cause.
func NewClients(flags *genericclioptions.ConfigFlags, o ClientOptions) (*Clients, error) {
	if flags == nil {
		return nil, ErrNoConfigFlags
	}
	c := &Clients{}
	var err error
	if o.Namespace {
		if c.Namespace, _, err = flags.ToRawKubeConfigLoader().Namespace(); err != nil {
			return nil, fmt.Errorf("namespace from kubeconfig: %w", err)
		}
	}
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("cluster configuration: %w", err)
	}
	if o.QPS != 0 {
		cfg.QPS = o.QPS
	}
	if o.Burst != 0 {
		cfg.Burst = o.Burst
	}
	if c.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	if o.Metadata {
		if c.Metadata, err = metadata.NewForConfig(cfg); err != nil {
			return nil, fmt.Errorf("metadata client: %w", err)
		}
	}
	if o.Discovery {
		if c.Discovery, err = flags.ToDiscoveryClient(); err != nil {
			return nil, fmt.Errorf("discovery client: %w", err)
		}
	}
	if o.Mapper {
		if c.Mapper, err = flags.ToRESTMapper(); err != nil {
			return nil, fmt.Errorf("REST mapper: %w", err)
		}
	}
	return c, nil
}

// ExplainUnreachable returns err, or, when the server of flags' kubeconfig
// does not answer, one error saying so with its URL: a failed discovery
// otherwise reads like "the cluster does not serve this kind". It connects
// only when err is not nil, so Complete stays free of network calls.
func ExplainUnreachable(flags *genericclioptions.ConfigFlags, err error) error {
	if err == nil || flags == nil || errors.Is(err, ErrUnreachable) {
		return err
	}
	cfg, cerr := flags.ToRESTConfig()
	if cerr != nil {
		return err
	}
	if perr := probe(cfg); perr != nil {
		var exit *ExitError
		if errors.As(err, &exit) {
			return &ExitError{Code: exit.Code, Err: perr}
		}
		return perr
	}
	return err
}
