package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/diff"
)

// Client tuning of diff: a diff is a burst of LISTs and dry-runs.
const (
	diffQPS   = 200
	diffBurst = 400
)

// errDiffUsage marks flags that make no sense together.
var errDiffUsage = errors.New("invalid flags")

// DiffOptions holds the flags and clients of `kubectl gitops diff`.
type DiffOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Path        string
	Filenames   []string
	Revision    string
	Source      string
	Summary     bool
	Output      string
	Color       string
	Context     int
	Concurrency int
	AllowRemote bool

	// Clients; Complete builds them from ConfigFlags unless a test set them.
	Dynamic   dynamic.Interface
	Metadata  metadata.Interface
	Discovery discovery.ServerResourcesInterface
	Mapper    meta.RESTMapper
	// Namespace is set on namespaced objects without one (-n, else the
	// kubeconfig context's namespace, else "default").
	Namespace string
	// IsTerminal reports whether w is a terminal; default: a *os.File on a tty.
	IsTerminal func(w io.Writer) bool
	// Masker masks Secret values; default: a new random key per run.
	Masker *diff.Masker

	color    bool
	progress bool
}

// NewDiffOptions returns the defaults of `kubectl gitops diff`.
func NewDiffOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *DiffOptions {
	return &DiffOptions{
		ConfigFlags: flags,
		IOStreams:   streams,
		Color:       "auto",
		Context:     diff.DefaultContext,
		Concurrency: diff.DefaultConcurrency,
		IsTerminal:  isTerminal,
	}
}

const diffExample = `  # Compare the kustomization in the current folder with the cluster
  kubectl gitops diff

  # Compare an overlay as committed on main, without checking it out
  kubectl gitops diff overlays/production --revision main

  # Compare what the source "production" of gitward.yaml declares, and list
  # the objects the agent would prune
  kubectl gitops diff --source production

  # Plain manifests, like kubectl diff -f
  kubectl gitops diff -f deploy.yaml -f ./manifests/

  # One line per object, for a quick look
  kubectl gitops diff --summary

  # For CI: JSON on stdout, exit code 0 (same), 1 (differs) or 2 (error)
  kubectl gitops diff --source production -o json > diff.json || [ $? -eq 1 ]`

// NewCmdDiff returns `kubectl gitops diff`.
func NewCmdDiff(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewDiffOptions(flags, streams)
	cmd := &cobra.Command{
		Use:   "diff [FOLDER] [--revision REF] [--source NAME] [-f FILE]",
		Short: "Show how the cluster differs from what Git declares",
		Long: `Show how the live cluster differs from what Git declares: the objects Git
would create, the objects that differ, and the objects the agent would prune.

The desired state is a kustomize folder (default: the current folder), the
same folder at a Git revision (--revision, read from the repository without
touching the checkout), a source named in gitward.yaml (--source), or plain
manifests (-f). Objects that would be pruned are those labelled
gitward.dev/source=<source> that Git no longer declares; the source comes
from --source, or from the gitward.yaml source whose path is the folder.

Like kubectl diff, a changed object is shown as the difference between the
live object and a server-side dry-run apply of what Git declares (field
manager gitward, forcing conflicts), so defaults and admission are the
server's. Each changed object names the field managers that own the fields
that differ: who drifted (kubectl-edit, kubectl-client-side-apply, a person's
tool, a controller).

It is fast: one LIST per kind and namespace, a local comparison of the
declared fields, and a dry-run only for objects that comparison cannot prove
equal. Secret values are never printed: each shows as a keyed hash,
"*** (hmac:…)", equal for equal values and different for different ones
within a run.

Exit status, as kubectl diff: 0 no differences, 1 differences, 2 an error.`,
		Example:      templates.Examples(diffExample),
		Args:         cobra.MaximumNArgs(1),
		SilenceUsage: true,
		RunE:         cli.Steps{Complete: o.Complete, Validate: o.Validate, Run: o.Run, Kube: o.ConfigFlags}.RunE,
	}
	o.AddFlags(cmd)
	return cmd
}

// AddFlags binds the flags of diff to cmd, with completions.
func (o *DiffOptions) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVarP(&o.Filenames, "filename", "f", nil, "Plain manifest file or folder to compare (repeatable; - reads stdin); instead of a kustomize folder")
	f.StringVar(&o.Revision, "revision", "", "Render the folder (or the source) at this Git revision: a branch, tag or commit")
	f.StringVar(&o.Source, "source", "", "Name of a source in gitward.yaml: render its path and report what would be pruned")
	f.BoolVar(&o.Summary, "summary", false, "Print one line per object instead of the diff")
	f.StringVarP(&o.Output, "output", "o", "", "Output format: '' (diff or --summary), json or yaml")
	f.StringVar(&o.Color, "color", o.Color, "Colour the diff: auto (on a terminal, unless NO_COLOR is set), always or never")
	f.IntVarP(&o.Context, "unified", "U", o.Context, "Lines of context around each change")
	f.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "Requests to the API server in flight")
	f.BoolVar(&o.AllowRemote, "allow-remote-bases", false, "Let kustomize fetch remote bases")

	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("color", cobra.FixedCompletions([]string{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("filename", "yaml", "yml", "json")
}

// isTerminal reports whether w is a file on a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Validate refuses flag combinations that make no sense.
func (o *DiffOptions) Validate() error {
	switch {
	case o.Output != "" && o.Output != "json" && o.Output != "yaml":
		return fmt.Errorf("%w: --output %q: use json or yaml, or leave it out", errDiffUsage, o.Output)
	case o.Output != "" && o.Summary:
		return fmt.Errorf("%w: --summary and --output both choose the output; use one", errDiffUsage)
	case o.Color != "auto" && o.Color != "always" && o.Color != "never":
		return fmt.Errorf("%w: --color %q: use auto, always or never", errDiffUsage, o.Color)
	case len(o.Filenames) > 0 && o.Path != "":
		return fmt.Errorf("%w: give a kustomize FOLDER or -f files, not both", errDiffUsage)
	case len(o.Filenames) > 0 && o.Revision != "":
		return fmt.Errorf("%w: --revision renders a folder from Git; it cannot be combined with -f", errDiffUsage)
	case o.Concurrency < 1:
		return fmt.Errorf("%w: --concurrency must be at least 1, got %d", errDiffUsage, o.Concurrency)
	case o.Context < 0:
		return fmt.Errorf("%w: --unified must not be negative, got %d", errDiffUsage, o.Context)
	}
	return nil
}
