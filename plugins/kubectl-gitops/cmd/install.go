package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
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
	// Dir is the checkout whose gitward.yaml names the sources; default ".".
	Dir string

	install install.Options

	// Clients for --apply; Complete builds them unless a test set them.
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
}

// NewInstallOptions returns the defaults of `kubectl gitops install`.
func NewInstallOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *InstallOptions {
	return &InstallOptions{ConfigFlags: flags, IOStreams: streams, Namespace: install.DefaultNamespace,
		Image: install.DefaultImage(), WebhookMode: "enforce", Admission: install.AdmissionWebhook, Dir: "."}
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
  kubectl gitops install --image registry.example.com/gitward:v0.3.0 --agent-namespace gitward`

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
checkout's origin URL). Both programs read them from a generated gitward.yaml.

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
gitward-agent. Give the agent Git credentials in the Secret gitward-git (key
token) and the push webhook's secret in gitward-webhook (key secret), both in
the install namespace.`,
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
	_ = cmd.RegisterFlagCompletionFunc("webhook-mode", cobra.FixedCompletions([]string{"enforce", "warn"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Complete resolves the sources and, with --apply, builds the clients.
func (o *InstallOptions) Complete(_ []string) error {
	sources, err := install.Sources(o.Dir, o.SourceFlags)
	if err != nil {
		return err
	}
	o.install = install.Options{Namespace: o.Namespace, Image: o.Image, Sources: sources,
		CertManager: o.CertManager, WebhookMode: o.WebhookMode, Admission: o.Admission}
	if !o.Apply || (o.Dynamic != nil && o.Mapper != nil) {
		return nil
	}
	c, err := cli.NewClients(o.ConfigFlags, cli.ClientOptions{Mapper: true})
	if err != nil {
		return err
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
	res, err := install.Render(ctx, manifests.FS, o.install)
	if err != nil {
		return err
	}
	if !o.Apply {
		y, err := res.YAML()
		if err != nil {
			return err
		}
		_, err = o.Out.Write(y)
		return err
	}
	return install.Apply(ctx, res, install.ApplyOptions{Dynamic: o.Dynamic, Mapper: o.Mapper, DryRun: o.DryRun, Out: o.Out})
}
