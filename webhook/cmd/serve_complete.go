package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/gitview"
)

// Complete reads gitward.yaml and turns the flags into source views and the
// decider's configuration.
func (o *ServeOptions) Complete() error {
	if o.TLSCert == "" {
		o.TLSCert = filepath.Join(o.CertDir, "tls.crt")
	}
	if o.TLSKey == "" {
		o.TLSKey = filepath.Join(o.CertDir, "tls.key")
	}
	var sources []config.Source
	if o.ConfigFile != "" {
		data, err := os.ReadFile(o.ConfigFile)
		if err != nil {
			return fmt.Errorf("read --config: %w", err)
		}
		cfg, err := config.Parse(data, o.ConfigFile)
		if err != nil {
			return err
		}
		for _, s := range cfg.Sources {
			if len(o.SourceNames) == 0 || slices.Contains(o.SourceNames, s.Name) {
				sources = append(sources, s)
			}
		}
		for _, name := range o.SourceNames {
			if _, err := cfg.Source(name); err != nil {
				return err
			}
		}
	} else if len(o.SourceNames) == 1 {
		sources = []config.Source{{Name: o.SourceNames[0], Repo: o.Repo, Branch: o.Branch, Path: o.Path}}
	}
	o.views = nil
	for _, s := range sources {
		if s.Repo == "" {
			s.Repo = o.Repo
		}
		if s.Branch == "" {
			s.Branch = o.Branch
		}
		v := gitview.Options{Name: s.Name, URL: s.Repo, Branch: s.Branch, Path: s.Path,
			PollInterval: o.PollInterval, FetchTimeout: o.FetchTimeout, MinFetchInterval: o.MinFetchInterval,
			CacheSize: o.CacheSize, MaxRenders: o.MaxRenders}
		if o.CloneDir != "" {
			v.Dir = filepath.Join(o.CloneDir, s.Name)
		}
		v.Render = expanderOf(s, v.Dir).Objects
		o.views = append(o.views, v)
	}
	ignore, err := admit.ParseIgnoreRules(o.IgnoreRules)
	if err != nil {
		return err
	}
	o.ignore = ignore
	m, err := parseNamespaces(o.ManagedNamespaces)
	if err != nil {
		return err
	}
	o.nsMap = m
	return nil
}

// Validate checks the flags.
func (o *ServeOptions) Validate() error {
	if len(o.views) == 0 {
		return fmt.Errorf("%w: no source: give --config gitward.yaml, or --source, --repo and --path", ErrUsage)
	}
	for i := range o.views {
		v := o.views[i]
		v.Complete()
		if err := v.Validate(); err != nil {
			return err
		}
	}
	if _, err := admit.ParseMode(o.Mode); err != nil {
		return err
	}
	if (o.SSHKeyFile == "") != (o.KnownHostsFile == "") {
		return fmt.Errorf("%w: --ssh-key-file and --known-hosts-file go together", ErrUsage)
	}
	if o.SelfBootstrap && o.WebhookConfigName == "" {
		return fmt.Errorf("%w: --self-bootstrap needs --webhook-config-name", ErrUsage)
	}
	return o.validateClientAuth()
}
