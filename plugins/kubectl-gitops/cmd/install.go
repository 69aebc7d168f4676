package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/gitward/gitward/manifests"
	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/install"
)

// errInstallUsage marks invalid flags of install.
var errInstallUsage = errors.New("invalid flags")

// InstallOptions holds the flags and clients of `kubectl gitops install`.
type InstallOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	SourceFlags []string
	Namespace   string
	Image       string
	CertManager bool
	WebhookMode string
	Admission   string
	Apply       bool
	DryRun      bool
	Wait        bool
	Timeout     time.Duration
	AllSources  bool

	AllowLocalRepo    bool
	APIServerCIDRs    []string
	GitCIDRs          []string
	GitSecret         string
	GitSecretType     string
	GitUsername       string
	PushWebhookSecret string
	// Dir is the checkout whose gitward.yaml names the sources; default ".".
	Dir string

	install install.Options

	// Clients for --apply; Complete builds them unless a test set them.
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
	Kube    kubernetes.Interface
}

// NewInstallOptions returns the defaults of `kubectl gitops install`.
func NewInstallOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *InstallOptions {
	return &InstallOptions{ConfigFlags: flags, IOStreams: streams, Namespace: install.DefaultNamespace,
		Image: install.DefaultImage(), WebhookMode: "enforce", Admission: install.AdmissionWebhook, Dir: ".",
		Wait: true, Timeout: 5 * time.Minute}
}

const installExample = `  # Print the manifests for the sources of this checkout's gitward.yaml
  kubectl gitops install > gitward.yaml

  # Install for one source, the webhook bootstrapping its own TLS
  kubectl gitops install --apply \
    --source production=https://git.example.com/org/manifests.git@main:overlays/production

  # cert-manager issues the webhook's certificate; warn instead of deny at first
  kubectl gitops install --apply --cert-manager --webhook-mode warn

  # No webhook: only the admission policy floor (the commit annotation's
  # presence and format; it cannot see an edit that keeps it)
  kubectl gitops install --apply --admission policy

  # A pinned image, in another namespace
  kubectl gitops install --image registry.example.com/gitward:v0.3.0 --agent-namespace gitward

  # A private repository over SSH: both the agent and the webhook clone with it
  kubectl -n gitward-system create secret generic gitward-git \
    --from-file=ssh-privatekey=id_ed25519 --from-file=known_hosts=known_hosts
  kubectl gitops install --apply --git-credentials-secret gitward-git \
    --source prod=git@github.com:org/manifests.git@main:overlays/prod

  # Let the agent reach only the API server and the Git host (and DNS)
  kubectl gitops install --apply --api-server-cidr 172.18.0.2/32 --git-cidr 140.82.112.0/20`

// NewCmdInstall returns `kubectl gitops install`.
func NewCmdInstall(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewInstallOptions(flags, streams)
	cmd := &cobra.Command{
		Use:   "install [--apply] [--source NAME[=REPO@BRANCH:PATH]]...",
		Short: "Print or apply the manifests of the webhook and the agent",
		Long: `Render the manifests of gitward-webhook and gitward-agent for a set of
sources, from the kustomize bases built into this binary (manifests/ of the
gitward repository), and print them, or with --apply apply them (server-side
apply, Namespaces and CRDs first, what guards admission last).

The sources come from --source flags, NAME=REPO@BRANCH:PATH, or NAME alone
for a source of the gitward.yaml in the current checkout; without --source,
every source of that gitward.yaml (a source without a repository gets the
checkout's origin URL). When that gitward.yaml names several sources (one
per environment, usually one cluster each), pick one with --source NAME or
take them all with --all-sources; sources whose folders are in the checkout
are rendered first, and two that declare the same object are refused. Both
programs read the sources from a generated gitward.yaml. A repository the
cluster cannot reach (a local path, file://) is refused unless
--allow-local-repo.

Apply order: Namespaces and CRDs, the rest, then the webhook's
ValidatingWebhookConfiguration with failurePolicy Ignore; install then waits
(--wait, --timeout) until the webhook's Deployment is available, its caBundle
is set and the API server reaches its Service, and only then applies the
configuration as rendered (failurePolicy Fail). A webhook that does not start
(an image the nodes cannot pull) therefore never locks the cluster; install
says why it is not ready and exits non-zero.

TLS: by default the webhook bootstraps its own CA and serving certificate and
patches the caBundle of its ValidatingWebhookConfiguration; with
--cert-manager, cert-manager issues the certificate (a self-signed Issuer and
a Certificate) and injects the CA.

Admission (--admission): "webhook" (the default) installs gitward-webhook,
which compares every change to a managed object with what Git declares;
"policy" installs no webhook, only a ValidatingAdmissionPolicy that requires
a well-formed gitward.dev/commit annotation on managed objects, a weaker
floor for clusters that want no webhook (an edit that keeps the annotation
passes); "both" keeps that floor in place when the webhook's configuration
is deleted to recover from an outage.

Both programs run from one image (--image) holding gitward-webhook and
gitward-agent; a release's kubectl-gitops defaults to its image by digest
(docs/install.md says how to load it without a registry).

Git credentials (--git-credentials-secret, a Secret in the install namespace)
are mounted into both programs: key token (HTTPS; --git-username for the
user) or keys ssh-privatekey and known_hosts (SSH; the default type when
every repository is an SSH URL). The agent's RBAC is one wide ClusterRole
(docs/install.md says how to narrow it). A NetworkPolicy for the agent is
rendered only with --api-server-cidr and --git-cidr.`,
		Example:      templates.Examples(installExample),
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE:         cli.Steps{Complete: o.Complete, Validate: o.Validate, Run: o.Run}.RunE,
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.SourceFlags, "source", nil, "Source to track: NAME=REPO@BRANCH:PATH, or NAME of the checkout's gitward.yaml (repeatable)")
	f.StringVar(&o.Namespace, "agent-namespace", o.Namespace, "Namespace of the webhook and the agent")
	f.StringVar(&o.Image, "image", o.Image, "Image holding gitward-webhook and gitward-agent")
	f.BoolVar(&o.CertManager, "cert-manager", false, "Let cert-manager issue the webhook's certificate instead of the webhook's self-bootstrap")
	f.StringVar(&o.WebhookMode, "webhook-mode", o.WebhookMode, "enforce (deny what Git does not say) or warn (admit with warnings)")
	f.StringVar(&o.Admission, "admission", o.Admission, "What guards admission: webhook (content compared with Git), policy (only the commit annotation's presence and format, no webhook) or both")
	f.BoolVar(&o.Apply, "apply", false, "Apply the manifests to the cluster instead of printing them")
	f.BoolVar(&o.DryRun, "dry-run", false, "With --apply, let the API server validate without persisting")
	f.BoolVar(&o.Wait, "wait", o.Wait, "With --apply, wait until the webhook answers before its configuration fails closed (without: it stays failurePolicy Ignore)")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "How long --wait waits for the webhook")
	f.BoolVar(&o.AllSources, "all-sources", false, "Install every source of the checkout's gitward.yaml into this cluster (default: its one source, or the one --source names)")
	f.BoolVar(&o.AllowLocalRepo, "allow-local-repo", false, "Accept a repository that is a local path or file:// URL (it must then exist inside the nodes)")
	f.StringSliceVar(&o.APIServerCIDRs, "api-server-cidr", nil, "The API server's addresses: with --git-cidr, the agent's NetworkPolicy allows egress only to these, the Git host and DNS (kubectl get endpoints kubernetes)")
	f.StringSliceVar(&o.GitCIDRs, "git-cidr", nil, "The Git host's addresses, for the agent's NetworkPolicy (with --api-server-cidr)")
	f.StringVar(&o.GitSecret, "git-credentials-secret", "", "Secret in the install namespace with Git credentials for the agent and the webhook: key token, or keys ssh-privatekey and known_hosts")
	f.StringVar(&o.GitSecretType, "git-credentials-type", "", "token or ssh (default: ssh when every repository is an SSH URL, else token)")
	f.StringVar(&o.GitUsername, "git-username", "", "User name that goes with the Git token or SSH key")
	f.StringVar(&o.PushWebhookSecret, "push-webhook-secret", "", "Secret in the install namespace (key secret) with the shared secret of the agent's push webhook; unset: no push webhook, the agent polls")
	_ = cmd.RegisterFlagCompletionFunc("git-credentials-type", cobra.FixedCompletions([]string{"token", "ssh"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("webhook-mode", cobra.FixedCompletions([]string{"enforce", "warn"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Complete resolves the sources and, with --apply, builds the clients.
func (o *InstallOptions) Complete(_ []string) error {
	sources, err := install.Sources(o.Dir, o.SourceFlags, o.AllSources)
	if err != nil {
		return err
	}
	o.install = install.Options{Namespace: o.Namespace, Image: o.Image, Sources: sources,
		CertManager: o.CertManager, WebhookMode: o.WebhookMode, Admission: o.Admission,
		AllowLocalRepo: o.AllowLocalRepo, APIServerCIDRs: o.APIServerCIDRs, GitCIDRs: o.GitCIDRs,
		Git:               install.GitCredentials{Secret: o.GitSecret, Kind: o.GitSecretType, Username: o.GitUsername},
		PushWebhookSecret: o.PushWebhookSecret}
	if !o.Apply || (o.Dynamic != nil && o.Mapper != nil && o.Kube != nil) {
		return nil
	}
	c, err := cli.NewClients(o.ConfigFlags, cli.ClientOptions{Mapper: true})
	if err != nil {
		return err
	}
	cfg, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("cluster configuration: %w", err)
	}
	if o.Kube, err = kubernetes.NewForConfig(cfg); err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	o.Dynamic, o.Mapper = c.Dynamic, c.Mapper
	return nil
}

// Validate checks the flags and the sources.
func (o *InstallOptions) Validate() error {
	if o.DryRun && !o.Apply {
		return fmt.Errorf("%w: --dry-run asks the server to validate an --apply; add --apply, or leave both out to print", errInstallUsage)
	}
	opts := o.install
	opts.Complete()
	return opts.Validate()
}

// Run renders the manifests and prints or applies them.
func (o *InstallOptions) Run(ctx context.Context) error {
	notes, err := install.CheckOverlap(ctx, o.Dir, o.install.Sources)
	if err != nil {
		return err
	}
	res, err := install.Render(ctx, manifests.FS, o.install)
	if err != nil {
		return err
	}
	if o.Image == install.DefaultImage() {
		if n := install.DefaultImageNote(); n != "" {
			notes = append(notes, n)
		}
	}
	notes = append(notes, res.Notes...)
	if o.Apply && !o.DryRun && o.Kube != nil {
		notes = append(notes, install.MissingSecrets(ctx, o.Kube, o.install)...)
	}
	for _, n := range notes {
		fmt.Fprintln(o.ErrOut, "note:", n)
	}
	if !o.Apply {
		y, err := res.YAML()
		if err != nil {
			return err
		}
		_, err = o.Out.Write(y)
		return err
	}
	return install.Apply(ctx, res, install.ApplyOptions{Dynamic: o.Dynamic, Mapper: o.Mapper, Kube: o.Kube, DryRun: o.DryRun,
		Out: o.Out, Namespace: o.install.Namespace, Wait: o.Wait, Timeout: o.Timeout})
}
