package cmd

import (
	"fmt"
	"os"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
)

// Complete takes the folder argument, decides on colour and progress, and
// builds the clients (QPS and burst raised for a burst of LISTs and
// dry-runs) unless a test set them.
func (o *DiffOptions) Complete(args []string) error {
	if len(args) == 1 {
		o.Path = args[0]
	}
	if o.IsTerminal == nil {
		o.IsTerminal = isTerminal
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	switch o.Color {
	case "always":
		o.color = true
	case "auto":
		o.color = !noColor && o.Output == "" && !o.Summary && o.IsTerminal(o.Out)
	}
	o.progress = o.IsTerminal(o.ErrOut)
	if o.Dynamic != nil && o.Mapper != nil {
		if o.Namespace == "" {
			o.Namespace = "default"
		}
		return nil
	}
	if o.ConfigFlags == nil {
		return fmt.Errorf("no cluster configuration: ConfigFlags is nil")
	}
	ns, _, err := o.ConfigFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return fmt.Errorf("namespace from kubeconfig: %w", err)
	}
	o.Namespace = ns
	cfg, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("cluster configuration: %w", err)
	}
	cfg.QPS, cfg.Burst = diffQPS, diffBurst
	if o.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return fmt.Errorf("dynamic client: %w", err)
	}
	if o.Metadata, err = metadata.NewForConfig(cfg); err != nil {
		return fmt.Errorf("metadata client: %w", err)
	}
	dc, err := o.ConfigFlags.ToDiscoveryClient()
	if err != nil {
		return fmt.Errorf("discovery client: %w", err)
	}
	o.Discovery = dc
	if o.Mapper, err = o.ConfigFlags.ToRESTMapper(); err != nil {
		return fmt.Errorf("REST mapper: %w", err)
	}
	return nil
}
