package cmd

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/seal"
)

// errSealUsage marks flag combinations that make no sense together.
var errSealUsage = errors.New("invalid flags")

// SealOptions holds the flags and clients of `kubectl gitops seal`.
type SealOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Filename       string
	Name           string
	Type           string
	Literals       []string
	Files          []string
	EnvFiles       []string
	AllowEmptyData bool

	CertFile            string
	ControllerName      string
	ControllerNamespace string
	FetchCert           bool

	Scope     string
	MergeInto string
	Raw       bool
	Output    string

	// Client reaches the controller when no --cert is given; Complete builds
	// it from ConfigFlags unless a test set it.
	Client kubernetes.Interface
	// Now is the clock certificates are checked against. Default: time.Now.
	Now func() time.Time

	scope     *seal.Scope
	outputSet bool
}

// NewSealOptions returns the defaults of `kubectl gitops seal`.
func NewSealOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *SealOptions {
	return &SealOptions{
		ConfigFlags:         flags,
		IOStreams:           streams,
		ControllerName:      seal.DefaultControllerName,
		ControllerNamespace: seal.DefaultControllerNamespace,
		Output:              seal.FormatYAML,
		Now:                 time.Now,
	}
}

const sealExample = `  # Seal a Secret manifest with the certificate of the cluster's controller
  kubectl gitops seal -f secret.yaml > sealed-secret.yaml

  # Seal values the way kubectl create secret generic takes them, offline
  kubectl gitops seal --cert pub-cert.pem -n prod --name db \
    --from-literal user=admin --from-file password=./password.txt

  # Add or replace one key in an existing SealedSecret file
  kubectl gitops seal --cert pub-cert.pem --from-file token=./token --merge-into sealed-secret.yaml

  # Encrypt one value for a SealedSecret's encryptedData (strict scope needs the name)
  kubectl gitops seal --raw --cert pub-cert.pem -n prod --name db --from-file ./password.txt

  # Print the controller's current certificate
  kubectl gitops seal --fetch-cert > pub-cert.pem`

// NewCmdSeal returns `kubectl gitops seal`.
func NewCmdSeal(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewSealOptions(flags, streams)
	cmd := &cobra.Command{
		Use:   "seal [-f FILE | --from-literal K=V | --from-file [K=]PATH | --from-env-file PATH]",
		Short: "Encrypt a Secret into a SealedSecret that only the cluster's controller can open",
		Long: `Encrypt a Secret into a SealedSecret, as kubeseal does, with sealed-secrets'
own crypto. Each value is encrypted on its own (RSA-OAEP + AES-GCM), on all
cores, with the controller's public key; only the controller can open it.

The Secret comes from -f FILE or stdin (YAML or JSON, one or more), or from
--from-literal, --from-file and --from-env-file as kubectl create secret
generic takes them. The certificate comes from --cert FILE or from the
controller, through the API server's service proxy.

Scopes: strict (the default) binds each value to the Secret's namespace and
name, namespace-wide to its namespace, cluster-wide to nothing. Expired and
non-RSA certificates are refused; plaintext is never written anywhere.`,
		Example:      sealExample,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
	}
	cmd.RunE = cli.Steps{Complete: cli.NoArgs(func() error { return o.Complete(cmd) }), Validate: o.Validate, Run: o.Run}.RunE
	o.AddFlags(cmd)
	return cmd
}

// AddFlags binds the flags of seal to cmd, with completions.
func (o *SealOptions) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.Filename, "filename", "f", "", "Secret manifest(s) to seal, YAML or JSON ('-' or empty: stdin)")
	f.StringVar(&o.Name, "name", "", "Name of the Secret (with --from-*, --raw), or a new name for the one read")
	f.StringVar(&o.Type, "type", "", "Type of the Secret built from --from-* (default Opaque)")
	f.StringArrayVar(&o.Literals, "from-literal", nil, "KEY=VALUE to add (repeatable)")
	f.StringArrayVar(&o.Files, "from-file", nil, "File to add as [KEY=]PATH, or a folder of files (repeatable); with --raw, the value")
	f.StringArrayVar(&o.EnvFiles, "from-env-file", nil, "File of KEY=VALUE lines to add (repeatable)")
	f.BoolVar(&o.AllowEmptyData, "allow-empty-data", false, "Seal a Secret that has no data")
	f.StringVar(&o.CertFile, "cert", "", "Controller certificate (PEM file); default: fetch it from the controller")
	f.StringVar(&o.ControllerName, "controller-name", o.ControllerName, "Name of the sealed-secrets controller's Service")
	f.StringVar(&o.ControllerNamespace, "controller-namespace", o.ControllerNamespace, "Namespace of the sealed-secrets controller")
	f.BoolVar(&o.FetchCert, "fetch-cert", false, "Print the controller's certificate and exit")
	f.StringVar(&o.Scope, "scope", "", "strict, namespace-wide or cluster-wide (default: the Secret's sealedsecrets.bitnami.com annotations, else strict)")
	f.StringVar(&o.MergeInto, "merge-into", "", "Add or replace the encrypted keys in this SealedSecret file (rewritten atomically)")
	f.BoolVar(&o.Raw, "raw", false, "Encrypt one value (stdin or --from-file) and print it base64-encoded")
	f.StringVarP(&o.Output, "output", "o", o.Output, "Output format: yaml or json")

	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions(seal.ScopeNames, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(seal.Formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions([]string{"Opaque", "kubernetes.io/tls",
		"kubernetes.io/dockerconfigjson", "kubernetes.io/basic-auth", "kubernetes.io/ssh-auth"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("filename", "yaml", "yml", "json")
	_ = cmd.MarkFlagFilename("cert", "pem", "crt")
	_ = cmd.MarkFlagFilename("merge-into", "yaml", "yml", "json")
}

// Complete resolves the scope and, when the certificate comes from the
// cluster, the client.
func (o *SealOptions) Complete(cmd *cobra.Command) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	o.outputSet = cmd.Flags().Changed("output")
	if o.Scope != "" {
		sc, err := seal.ParseScope(o.Scope)
		if err != nil {
			return fmt.Errorf("--scope: %w", err)
		}
		o.scope = &sc
	}
	if o.CertFile != "" || o.Client != nil {
		return nil
	}
	cfg, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("no --cert given, and no cluster to fetch the controller's certificate from: %w", err)
	}
	cfg.AcceptContentTypes = "application/x-pem-file, */*"
	if o.Client, err = kubernetes.NewForConfig(cfg); err != nil {
		return fmt.Errorf("building a client to fetch the controller's certificate: %w", err)
	}
	return nil
}

// Validate refuses flag combinations that make no sense.
func (o *SealOptions) Validate() error {
	if err := seal.ValidateFormat(o.Output); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	fromFlags := len(o.Literals) > 0 || len(o.Files) > 0 || len(o.EnvFiles) > 0
	switch {
	case o.FetchCert:
		return nil
	case o.Raw && o.MergeInto != "":
		return fmt.Errorf("%w: --raw prints one value; it cannot --merge-into a file", errSealUsage)
	case o.Raw && (len(o.Literals) > 0 || len(o.EnvFiles) > 0 || len(o.Files) > 1 || o.Filename != ""):
		return fmt.Errorf("%w: --raw takes its value from stdin or one --from-file", errSealUsage)
	case o.Raw:
		return nil
	case o.Filename != "" && fromFlags:
		return fmt.Errorf("%w: give the Secret either with -f/--filename or with --from-literal/--from-file/--from-env-file, not both", errSealUsage)
	case o.Type != "" && !fromFlags:
		return fmt.Errorf("%w: --type applies to a Secret built with --from-*; set type in the manifest instead", errSealUsage)
	}
	return nil
}
