package cli

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
)

// ErrUnreachable: the kubeconfig's server does not answer.
var ErrUnreachable = errors.New("cannot reach the cluster")

// reachTimeout bounds the probe of the API server.
const reachTimeout = 10 * time.Second

// AddVerbosity adds klog's -v flag to root and, unless -v is given, keeps
// client-go's klog output (discovery's "Unhandled Error" lines from
// memcache.go, throttling notes) off the terminal: a command says once what
// went wrong, in its error.
func AddVerbosity(root *cobra.Command) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	root.PersistentFlags().AddGoFlag(fs.Lookup("v"))
	root.PersistentFlags().Lookup("v").Usage = "log level of client-go and gitward's debug logs (klog); 0 keeps them quiet"
	klog.SetLogger(logr.Discard())
	prev := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if f := cmd.Flags().Lookup("v"); f != nil && f.Value.String() != "0" {
			klog.ClearLogger()
		}
		if prev != nil {
			return prev(cmd, args)
		}
		return nil
	}
}

// probe asks the API server for its version and, when it does not answer,
// returns ErrUnreachable naming the server URL.
func probe(cfg *rest.Config) error {
	c := rest.CopyConfig(cfg)
	c.Timeout = reachTimeout
	d, err := discovery.NewDiscoveryClientForConfig(c)
	if err != nil {
		return fmt.Errorf("%w at %s: %w", ErrUnreachable, cfg.Host, err)
	}
	_, err = d.ServerVersion()
	var uerr *url.Error
	var nerr net.Error
	if err != nil && (errors.As(err, &uerr) || errors.As(err, &nerr)) {
		return fmt.Errorf("%w at %s (check the kubeconfig's current context, --context or --server): %w", ErrUnreachable, cfg.Host, err)
	}
	return nil // any answer, even 401 or 403, means the server is there
}
