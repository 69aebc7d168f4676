package cmd

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/gitview"
)

// ServeOptions configure `gitward-webhook serve`.
type ServeOptions struct {
	genericiooptions.IOStreams
	ConfigFlags *genericclioptions.ConfigFlags

	// Sources: from gitward.yaml (ConfigFile, optionally narrowed by
	// SourceNames) or from one source given by flags.
	ConfigFile  string
	SourceNames []string
	Repo        string
	Branch      string
	Path        string

	// Git credentials from mounted files.
	TokenFile, Username, SSHKeyFile, KnownHostsFile string

	Mode              string
	BreakGlassGroups  []string
	IgnoreRules       []string
	ManagedNamespaces []string // ns=source
	ExemptUsers       []string
	ExemptGroups      []string
	IdentityFlags

	PollInterval     time.Duration
	FetchTimeout     time.Duration
	MinFetchInterval time.Duration
	CacheSize        int
	CloneTimeout     time.Duration
	CloneDir         string

	Addr        string
	ProbeAddr   string
	EnableHTTP2 bool
	CertDir     string
	TLSCert     string
	TLSKey      string
	ClientAuthFlags

	SelfBootstrap     bool
	WebhookConfigName string
	Namespace         string
	ServiceName       string
	BootstrapSecret   string
	Verbosity         int

	// Filled by Complete.
	views  []gitview.Options
	ignore []admit.IgnoreRule
	nsMap  map[string]string
}

// NewServeOptions returns the defaults.
func NewServeOptions(streams genericiooptions.IOStreams) *ServeOptions {
	return &ServeOptions{
		IOStreams:         streams,
		ConfigFlags:       genericclioptions.NewConfigFlags(false),
		Branch:            "main",
		Mode:              string(admit.ModeEnforce),
		BreakGlassGroups:  []string{"gitward:break-glass"},
		PollInterval:      gitview.DefaultPollInterval,
		FetchTimeout:      gitview.DefaultFetchTimeout,
		MinFetchInterval:  gitview.DefaultMinFetchInterval,
		CacheSize:         gitview.DefaultCacheSize,
		CloneTimeout:      2 * time.Minute,
		Addr:              ":9443",
		ProbeAddr:         ":8080",
		CertDir:           "/tmp/k8s-webhook-server/serving-certs",
		WebhookConfigName: "gitward-webhook",
		Namespace:         cli.PodNamespace("gitward-system"),
		ServiceName:       "gitward-webhook",
		BootstrapSecret:   "gitward-webhook-tls",
	}
}

// NewCmdServe returns the serve command.
func NewCmdServe(streams genericiooptions.IOStreams) *cobra.Command {
	o := NewServeOptions(streams)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the validating admission webhook",
		Long: `Serve the validating admission webhook: a change to a managed object is
admitted only if it is what Git declares at a commit on the tracked branch.`,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE:         cli.Steps{Complete: cli.NoArgs(o.Complete), Validate: o.Validate, Run: o.Run}.RunE,
	}
	o.AddFlags(cmd)
	return cmd
}

// AddFlags binds the flags.
func (o *ServeOptions) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	o.ConfigFlags.AddFlags(f)
	f.StringVar(&o.ConfigFile, "config", o.ConfigFile, "gitward.yaml naming the sources to track")
	f.StringSliceVar(&o.SourceNames, "source", o.SourceNames, "source to track (repeatable); with --config: a subset, else the one source named by --repo/--branch/--path")
	f.StringVar(&o.Repo, "repo", o.Repo, "repository URL (for a source without one in --config)")
	f.StringVar(&o.Branch, "branch", o.Branch, "branch to track")
	f.StringVar(&o.Path, "path", o.Path, "folder to render, relative to the repository root")
	f.StringVar(&o.TokenFile, "token-file", o.TokenFile, "file holding an HTTP(S) token or password")
	f.StringVar(&o.Username, "username", o.Username, "user name for the token or SSH")
	f.StringVar(&o.SSHKeyFile, "ssh-key-file", o.SSHKeyFile, "file holding an SSH private key")
	f.StringVar(&o.KnownHostsFile, "known-hosts-file", o.KnownHostsFile, "known_hosts file (required with --ssh-key-file)")
	f.StringVar(&o.Mode, "mode", o.Mode, "enforce (deny) or warn (admit with warnings)")
	f.StringSliceVar(&o.BreakGlassGroups, "break-glass-group", o.BreakGlassGroups, "group whose members are admitted with a warning, an audit annotation and an Event")
	f.StringArrayVar(&o.IgnoreRules, "ignore", o.IgnoreRules, "path not checked, <group>/<Kind>:<path>, e.g. apps/Deployment:spec.replicas (repeatable)")
	f.StringArrayVar(&o.ManagedNamespaces, "managed-namespace", o.ManagedNamespaces, "namespace managed by a source without the source label, <namespace>=<source> (repeatable)")
	f.StringArrayVar(&o.ExemptUsers, "exempt-user", o.ExemptUsers, "user (or path.Match pattern) exempt in addition to the system controllers")
	f.StringArrayVar(&o.ExemptGroups, "exempt-group", o.ExemptGroups, "group (or pattern) exempt in addition to system:nodes")
	f.DurationVar(&o.PollInterval, "poll-interval", o.PollInterval, "how often the branch is fetched")
	f.DurationVar(&o.FetchTimeout, "fetch-timeout", o.FetchTimeout, "bound of a fetch made while a request waits")
	f.DurationVar(&o.MinFetchInterval, "min-fetch-interval", o.MinFetchInterval, "least time between fetches made for requests")
	f.IntVar(&o.CacheSize, "cache-size", o.CacheSize, "commits whose renderings are kept")
	f.DurationVar(&o.CloneTimeout, "clone-timeout", o.CloneTimeout, "bound of the initial clone")
	f.StringVar(&o.CloneDir, "clone-dir", o.CloneDir, "keep clones on disk under this folder (default: in memory)")
	f.StringVar(&o.Addr, "addr", o.Addr, "TLS address of the webhook")
	f.StringVar(&o.ProbeAddr, "probe-addr", o.ProbeAddr, "address of /metrics, /healthz and /readyz (empty: off)")
	f.BoolVar(&o.EnableHTTP2, "enable-http2", o.EnableHTTP2, "also serve HTTP/2 (off: HTTP/1.1 with keep-alive, safe from HTTP/2 rapid-reset attacks)")
	f.StringVar(&o.CertDir, "cert-dir", o.CertDir, "folder holding tls.crt and tls.key (reloaded on change)")
	f.StringVar(&o.TLSCert, "tls-cert", o.TLSCert, "serving certificate file (overrides --cert-dir)")
	f.StringVar(&o.TLSKey, "tls-key", o.TLSKey, "serving key file (overrides --cert-dir)")
	o.addClientAuthFlags(cmd)
	f.BoolVar(&o.SelfBootstrap, "self-bootstrap", o.SelfBootstrap, "generate a CA and serving certificate (shared through a Secret) and patch the caBundle of --webhook-config-name")
	f.StringVar(&o.WebhookConfigName, "webhook-config-name", o.WebhookConfigName, "ValidatingWebhookConfiguration whose caBundle --self-bootstrap patches")
	f.StringVar(&o.Namespace, "webhook-namespace", o.Namespace, "namespace the webhook runs in (default $POD_NAMESPACE)")
	f.StringVar(&o.ServiceName, "service-name", o.ServiceName, "Service in front of the webhook (for the certificate's names)")
	f.StringVar(&o.BootstrapSecret, "bootstrap-secret", o.BootstrapSecret, "Secret holding the self-bootstrapped certificates")
	f.IntVarP(&o.Verbosity, "v", "v", o.Verbosity, "log verbosity")
	o.addIdentityFlags(cmd)
}

// ErrUsage is wrapped by flag errors.
var ErrUsage = errors.New("invalid flags")

// parseNamespaces parses ns=source pairs.
func parseNamespaces(pairs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, p := range pairs {
		ns, src, ok := strings.Cut(p, "=")
		if !ok || ns == "" || src == "" {
			return nil, fmt.Errorf("%w: --managed-namespace %q: want <namespace>=<source>", ErrUsage, p)
		}
		m[ns] = src
	}
	return m, nil
}
