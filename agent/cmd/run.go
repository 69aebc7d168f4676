package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/config"
)

// RunOptions are the settings of `gitward-agent run`.
type RunOptions struct {
	genericiooptions.IOStreams
	ConfigFlags *genericclioptions.ConfigFlags

	ConfigFile string   // a gitward.yaml naming the sources (optional)
	Sources    []string // source names to track; default: every source in ConfigFile
	Repo       string
	Branch     string
	Path       string
	Namespace  string // the agent's namespace

	Interval, FetchTimeout, Debounce time.Duration
	Depth                            int
	WorkDir                          string

	TokenFile, Username, SSHKeyFile, KnownHostsFile string
	KeyringFile                                     string

	Mode        string
	Force       bool
	AllowEmpty  bool
	NoWatch     bool
	Concurrency int
	QPS         float32
	Burst       int
	Namespaces  []string
	IgnoreRules []string

	MetricsAddr, ProbeAddr, WebhookAddr, WebhookSecretFile string
	LeaderElect                                            bool
	InstallCRD                                             bool
	// SoftMemoryLimit is the Go runtime's soft memory limit (GOMEMLIMIT),
	// unless GOMEMLIMIT is set; "0" leaves the runtime's default.
	SoftMemoryLimit string

	// Filled by Complete.
	restConfig *rest.Config
	ignore     []admit.IgnoreRule
	specs      []agent.SourceSpec
	keyring    string
	secret     []byte
}

// NewRunOptions returns the defaults.
func NewRunOptions(streams genericiooptions.IOStreams) *RunOptions {
	return &RunOptions{
		IOStreams: streams, ConfigFlags: genericclioptions.NewConfigFlags(false), Namespace: cli.PodNamespace("gitward-system"),
		Branch: "main", Interval: agent.DefaultInterval, FetchTimeout: agent.DefaultFetchTimeout,
		Debounce: agent.DefaultDebounce, Depth: agent.DefaultDepth, Mode: string(apply.ModeEnforce), Force: true,
		Concurrency: apply.DefaultConcurrency, QPS: 1000, Burst: 2000,
		MetricsAddr: ":8080", ProbeAddr: ":8081", WebhookAddr: ":8090", LeaderElect: true,
		SoftMemoryLimit: DefaultSoftMemoryLimit,
	}
}

// NewCmdRun returns `gitward-agent run`.
func NewCmdRun(streams genericiooptions.IOStreams) *cobra.Command {
	o := NewRunOptions(streams)
	cmd := &cobra.Command{
		Use:          "run",
		Short:        "Sync the cluster with Git: fetch, render, apply, prune, self-heal, report",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE:         cli.Steps{Complete: cli.NoArgs(o.Complete), Validate: o.Validate, Run: o.Run}.RunE,
	}
	f := cmd.Flags()
	o.ConfigFlags.AddFlags(f)
	f.StringVar(&o.ConfigFile, "gitward-config", o.ConfigFile, "gitward.yaml naming the sources (repo, branch, path)")
	f.StringSliceVar(&o.Sources, "source", o.Sources, "source names to track (default: every source of --gitward-config)")
	f.StringVar(&o.Repo, "repo", o.Repo, "repository URL (overrides the sources' repo)")
	f.StringVar(&o.Branch, "branch", o.Branch, "branch, when a source names none")
	f.StringVar(&o.Path, "path", o.Path, "kustomization folder (default: the source's path in gitward.yaml at the head)")
	f.StringVar(&o.Namespace, "agent-namespace", o.Namespace, "namespace of the SourceState objects, Events and the leader Lease")
	f.DurationVar(&o.Interval, "interval", o.Interval, "time between full syncs")
	f.DurationVar(&o.FetchTimeout, "fetch-timeout", o.FetchTimeout, "bound on one fetch")
	f.DurationVar(&o.Debounce, "debounce", o.Debounce, "quiet time after watch events before a self-heal")
	f.IntVar(&o.Depth, "depth", o.Depth, "shallow fetch depth (0: full history)")
	f.StringVar(&o.WorkDir, "work-dir", o.WorkDir, "folder for the bare clones (default: in memory)")
	f.StringVar(&o.TokenFile, "git-token-file", o.TokenFile, "file holding an HTTPS token")
	f.StringVar(&o.Username, "git-username", o.Username, "user name for the token or SSH")
	f.StringVar(&o.SSHKeyFile, "git-ssh-key-file", o.SSHKeyFile, "file holding an SSH private key")
	f.StringVar(&o.KnownHostsFile, "git-known-hosts-file", o.KnownHostsFile, "known_hosts file (required with an SSH key)")
	f.StringVar(&o.KeyringFile, "verify-keyring-file", o.KeyringFile, "armored OpenPGP keyring: apply only heads signed by one of its keys")
	f.StringVar(&o.Mode, "mode", o.Mode, "enforce (apply and correct drift) or detect (report only)")
	f.BoolVar(&o.Force, "force-conflicts", o.Force, "take ownership of fields other field managers changed")
	f.BoolVar(&o.AllowEmpty, "allow-empty", o.AllowEmpty, "let an empty rendering prune every object of the source")
	f.BoolVar(&o.NoWatch, "no-watch", o.NoWatch, "do not self-heal on watch events (only on the interval)")
	f.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "applies in flight")
	f.Float32Var(&o.QPS, "kube-qps", o.QPS, "client queries per second to the API server")
	f.IntVar(&o.Burst, "kube-burst", o.Burst, "client burst to the API server")
	f.StringSliceVar(&o.Namespaces, "namespaces", o.Namespaces, "list live objects only in these namespaces (for RBAC narrowed to namespaces)")
	f.StringArrayVar(&o.IgnoreRules, "ignore", o.IgnoreRules, "path left to other managers once one owns it, <group>/<Kind>:<path>, e.g. apps/Deployment:spec.replicas; "+
		"give the webhook the same rules (repeatable)")
	f.StringVar(&o.MetricsAddr, "metrics-bind-address", o.MetricsAddr, "Prometheus metrics address (0 disables)")
	f.StringVar(&o.ProbeAddr, "health-probe-bind-address", o.ProbeAddr, "healthz/readyz address")
	f.StringVar(&o.WebhookAddr, "webhook-bind-address", o.WebhookAddr, "push-webhook address (POST /hooks/git)")
	f.StringVar(&o.WebhookSecretFile, "webhook-secret-file", o.WebhookSecretFile, "file holding the push-webhook shared secret (unset: no webhook)")
	f.BoolVar(&o.LeaderElect, "leader-elect", o.LeaderElect, "elect a leader so that only one replica syncs")
	f.BoolVar(&o.InstallCRD, "install-crd", o.InstallCRD, "install the SourceState CRD at start (needs cluster RBAC)")
	f.StringVar(&o.SoftMemoryLimit, "soft-memory-limit", o.SoftMemoryLimit, "Go soft memory limit, like GOMEMLIMIT (which wins when set); 0 for none")
	return cmd
}

// Complete resolves the cluster, the sources and the files.
func (o *RunOptions) Complete() error {
	cfg, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("kubernetes client configuration: %w", err)
	}
	cfg.QPS, cfg.Burst, cfg.UserAgent = o.QPS, o.Burst, "gitward-agent"
	o.restConfig = cfg
	if o.specs, err = o.sourceSpecs(); err != nil {
		return err
	}
	if o.ignore, err = admit.ParseIgnoreRules(o.IgnoreRules); err != nil {
		return err
	}
	if o.KeyringFile != "" {
		b, err := os.ReadFile(o.KeyringFile)
		if err != nil {
			return fmt.Errorf("--verify-keyring-file: %w", err)
		}
		o.keyring = string(b)
	}
	if o.WebhookSecretFile != "" {
		b, err := os.ReadFile(o.WebhookSecretFile)
		if err != nil {
			return fmt.Errorf("--webhook-secret-file: %w", err)
		}
		o.secret = []byte(strings.TrimSpace(string(b)))
	}
	return nil
}

// sourceSpecs builds the tracked sources from gitward.yaml and the flags.
func (o *RunOptions) sourceSpecs() ([]agent.SourceSpec, error) {
	var cfg *config.Config
	if o.ConfigFile != "" {
		data, err := os.ReadFile(o.ConfigFile)
		if err != nil {
			return nil, fmt.Errorf("--gitward-config: %w", err)
		}
		if cfg, err = config.Parse(data, filepath.Base(o.ConfigFile)); err != nil {
			return nil, err
		}
	}
	names := o.Sources
	if len(names) == 0 && cfg != nil {
		names = cfg.SourceNames()
	}
	var specs []agent.SourceSpec
	for _, name := range names {
		spec := agent.SourceSpec{Name: name, Repo: o.Repo, Branch: o.Branch, Path: o.Path, AllowEmpty: o.AllowEmpty}
		if cfg != nil {
			src, err := cfg.Source(name)
			if err != nil {
				return nil, fmt.Errorf("--source %s: %w", name, err)
			}
			if spec.Repo == "" {
				spec.Repo = src.Repo
			}
			if src.Branch != "" {
				spec.Branch = src.Branch
			}
			if spec.Path == "" {
				spec.Path = src.Path
			}
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// Validate checks the settings.
func (o *RunOptions) Validate() error {
	var errs []error
	if len(o.specs) == 0 {
		errs = append(errs, errors.New("no source to track: set --source (with --repo), or --gitward-config"))
	}
	for _, s := range o.specs {
		if s.Repo == "" {
			errs = append(errs, fmt.Errorf("source %q has no repository: set --repo or its repo in gitward.yaml", s.Name))
		}
	}
	if o.Mode != string(apply.ModeEnforce) && o.Mode != string(apply.ModeDetect) {
		errs = append(errs, fmt.Errorf("--mode %q: want enforce or detect", o.Mode))
	}
	if _, err := o.memoryLimit(); err != nil {
		errs = append(errs, err)
	}
	if o.WebhookSecretFile != "" && len(o.secret) == 0 {
		errs = append(errs, fmt.Errorf("--webhook-secret-file %s is empty", o.WebhookSecretFile))
	}
	return errors.Join(errs...)
}
