package cmd

import (
	"cmp"
	"os"

	"github.com/gitward/gitward/pkg/cli"
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
		o.Namespace = cmp.Or(o.Namespace, "default")
		return nil
	}
	c, err := cli.NewClients(o.ConfigFlags, cli.ClientOptions{QPS: diffQPS, Burst: diffBurst,
		Namespace: true, Metadata: true, Discovery: true, Mapper: true})
	if err != nil {
		return err
	}
	o.Namespace, o.Dynamic, o.Metadata, o.Discovery, o.Mapper = c.Namespace, c.Dynamic, c.Metadata, c.Discovery, c.Mapper
	return nil
}
