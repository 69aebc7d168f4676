package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/trace"
)

// errTraceUsage marks invalid flags of trace.
var errTraceUsage = errors.New("invalid flags")

// TraceOptions holds the flags and clients of `kubectl gitops trace`.
type TraceOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Arg     string // KIND/NAME
	RepoDir string
	Path    string
	Output  string
	NoLive  bool

	// Clients and repository; Complete builds them unless a test set them.
	Dynamic   dynamic.Interface
	Mapper    meta.RESTMapper
	Repo      *gitrepo.Repo
	Namespace string
	// Masker masks Secret values in the diff; default: a random key per run.
	Masker *diff.Masker
	// Live replaces the live comparison (tests).
	Live trace.LiveFunc
}

// NewTraceOptions returns the defaults of `kubectl gitops trace`.
func NewTraceOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *TraceOptions {
	return &TraceOptions{ConfigFlags: flags, IOStreams: streams, RepoDir: "."}
}

const traceExample = `  # Where does this Deployment come from, and has someone changed it?
  kubectl gitops trace deployment/web -n shop

  # From outside the checkout, as JSON
  kubectl gitops trace configmap/settings-7h2k9 -n shop --repo ~/src/manifests -o json

  # Cluster-scoped objects take no namespace
  kubectl gitops trace namespace/shop`

// NewCmdTrace returns `kubectl gitops trace`.
func NewCmdTrace(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewTraceOptions(flags, streams)
	cmd := &cobra.Command{
		Use:   "trace KIND/NAME",
		Short: "Show which source, commit and file declare a live object, and whether it drifted",
		Long: `Trace a live object back to Git: the source that declares it (its
gitward.dev/source label, and the source's entry in gitward.yaml), the commit
its content was rendered from (its gitward.dev/commit annotation: author,
date and subject), the file in the repository that declares it (for a
generated object, the kustomization holding the generator), and whether the
live object differs now from what Git declares at that commit, with the field
managers that changed it.

The commit is read from a local repository: the checkout in the current
folder, or --repo. The source is rendered from the Git tree at the commit,
without touching the checkout; a commit the repository lacks must be fetched
first. Secret values in the diff are masked.`,
		Example:      templates.Examples(traceExample),
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE:         cli.Steps{Complete: o.Complete, Validate: o.Validate, Run: o.Run, Kube: o.ConfigFlags}.RunE,
	}
	f := cmd.Flags()
	f.StringVar(&o.RepoDir, "repo", o.RepoDir, "A checkout or clone of the source's repository")
	f.StringVar(&o.Path, "path", "", "Folder the source renders, when gitward.yaml at the commit does not name the source")
	f.StringVarP(&o.Output, "output", "o", "", "Output format: '' (text) or json")
	f.BoolVar(&o.NoLive, "no-live", false, "Do not compare the live object with Git")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"json"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagDirname("repo")
	return cmd
}

// Complete takes KIND/NAME, opens the repository and builds the clients
// unless a test set them.
func (o *TraceOptions) Complete(args []string) error {
	if len(args) == 1 {
		o.Arg = args[0]
	}
	if o.Repo == nil && o.RepoDir != "" {
		repo, err := gitrepo.Open(o.RepoDir)
		if err != nil {
			return fmt.Errorf("trace reads commits from a local repository: run it in a checkout of the source's repository or pass --repo DIR: %w", err)
		}
		o.Repo = repo
	}
	if o.Dynamic != nil && o.Mapper != nil {
		o.Namespace = cmp.Or(o.Namespace, "default")
		return nil
	}
	c, err := cli.NewClients(o.ConfigFlags, cli.ClientOptions{Namespace: true, Mapper: true})
	if err != nil {
		return err
	}
	o.Namespace, o.Dynamic, o.Mapper = c.Namespace, c.Dynamic, c.Mapper
	return nil
}

// Validate checks the argument and the output format.
func (o *TraceOptions) Validate() error {
	switch {
	case o.Arg == "":
		return fmt.Errorf("%w: name the object as KIND/NAME, e.g. deployment/web", errTraceUsage)
	case o.Output != "" && o.Output != "json":
		return fmt.Errorf("%w: --output %q: use json, or leave it out for text", errTraceUsage, o.Output)
	case o.Repo == nil:
		return fmt.Errorf("%w: --repo is empty: trace needs the source's repository", errTraceUsage)
	}
	return nil
}

// Run reads the live object, traces it and prints the result.
func (o *TraceOptions) Run(ctx context.Context) error {
	u, err := trace.Lookup(ctx, trace.LookupOptions{Dynamic: o.Dynamic, Mapper: o.Mapper, Arg: o.Arg, Namespace: o.Namespace})
	if err != nil {
		return err
	}
	to := trace.Options{Object: u, Repo: o.Repo, RepoDir: o.RepoDir, Path: o.Path,
		Diff: diff.Options{Masker: o.Masker}, Live: o.Live}
	if !o.NoLive {
		to.Dynamic, to.Mapper = o.Dynamic, o.Mapper
	}
	res, err := trace.Trace(ctx, to)
	if err != nil {
		return err
	}
	if o.Output == "json" {
		return res.WriteJSON(o.Out)
	}
	return res.WriteText(o.Out)
}
