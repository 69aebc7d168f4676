package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/sourcestatus"
)

// DefaultAgentNamespace is where gitward-agent keeps its SourceState objects.
const DefaultAgentNamespace = "gitward-system"

// errStatusUsage marks invalid flags of status.
var errStatusUsage = errors.New("invalid flags")

// StatusOptions holds the flags and client of `kubectl gitops status`.
type StatusOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	AgentNamespace string
	AllNamespaces  bool
	Output         string
	Sources        []string // names given as arguments; empty: every source

	// Dynamic reads SourceState objects; Complete builds it unless a test set it.
	Dynamic dynamic.Interface
}

// NewStatusOptions returns the defaults of `kubectl gitops status`.
func NewStatusOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *StatusOptions {
	return &StatusOptions{ConfigFlags: flags, IOStreams: streams, AgentNamespace: DefaultAgentNamespace}
}

const statusExample = `  # Every source the agent in gitward-system tracks
  kubectl gitops status

  # One source, as JSON for a script
  kubectl gitops status production -o json

  # Agents in every namespace
  kubectl gitops status -A`

// NewCmdStatus returns `kubectl gitops status`.
func NewCmdStatus(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewStatusOptions(flags, streams)
	cmd := &cobra.Command{
		Use:   "status [SOURCE...]",
		Short: "Show the agent's status per source: applied commit, branch head, drift, errors",
		Long: `Show what gitward-agent reports for each source it tracks: the commit it
last applied against the branch head it last fetched (SYNC is InSync, Behind,
Never or Unknown), how many objects it manages, how many drifted (changed by
someone other than Git) and failed, its Ready condition and its last error.

The agent keeps one SourceState object (gitward.dev/v1alpha1) per source in
its namespace (--agent-namespace, default gitward-system); -A reads every
namespace. The details below the table list the failed and drifted objects
and who changed them.

When a kubectl gitops sync applied a commit after the agent's last cycle,
APPLIED is that commit, marked "(sync)". Like kubectl rollout status, it exits
1 when objects of a source failed to apply (Ready reason ApplyFailed).`,
		Example:      templates.Examples(statusExample),
		SilenceUsage: true,
		RunE:         cli.Steps{Complete: o.Complete, Validate: o.Validate, Run: o.Run, Kube: o.ConfigFlags}.RunE,
	}
	f := cmd.Flags()
	f.StringVar(&o.AgentNamespace, "agent-namespace", o.AgentNamespace, "Namespace of the agent's SourceState objects")
	f.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Read the SourceState objects of every namespace")
	f.StringVarP(&o.Output, "output", "o", "", "Output format: '' (table) or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Complete takes the source names and builds the client unless a test set it.
func (o *StatusOptions) Complete(args []string) error {
	o.Sources = args
	if o.Dynamic != nil {
		return nil
	}
	c, err := cli.NewClients(o.ConfigFlags, cli.ClientOptions{})
	if err != nil {
		return err
	}
	o.Dynamic = c.Dynamic
	return nil
}

// Validate checks the output format and the namespace.
func (o *StatusOptions) Validate() error {
	switch {
	case o.Output != "" && o.Output != "json":
		return fmt.Errorf("%w: --output %q: use json, or leave it out for a table", errStatusUsage, o.Output)
	case !o.AllNamespaces && o.AgentNamespace == "":
		return fmt.Errorf("%w: --agent-namespace is empty: name the agent's namespace or use -A", errStatusUsage)
	}
	return nil
}

// Run lists the sources and prints them.
func (o *StatusOptions) Run(ctx context.Context) error {
	ns := o.AgentNamespace
	if o.AllNamespaces {
		ns = ""
	}
	sources, err := sourcestatus.List(ctx, o.Dynamic, ns)
	if err != nil {
		return err
	}
	if sources, err = o.pick(sources); err != nil {
		return err
	}
	if o.Output == "json" {
		if err := sourcestatus.WriteJSON(o.Out, sources); err != nil {
			return err
		}
		return failedSources(sources)
	}
	if len(sources) == 0 {
		where := "namespace " + ns
		if ns == "" {
			where = "any namespace"
		}
		fmt.Fprintf(o.ErrOut, "No sources found in %s: is gitward-agent running there (--agent-namespace)?\n", where)
		return nil
	}
	if err := sourcestatus.WriteTable(o.Out, sources, sourcestatus.TableOptions{Namespaces: o.AllNamespaces}); err != nil {
		return err
	}
	return failedSources(sources)
}

// failedSources exits 1 when a source's objects failed to apply, as
// `kubectl rollout status` exits non-zero on a failed rollout, so a script
// can wait on `kubectl gitops status`.
func failedSources(sources []sourcestatus.Source) error {
	var failed []string
	for _, s := range sources {
		if s.Reason == "ApplyFailed" || s.Failed > 0 {
			failed = append(failed, s.Name)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return &cli.ExitError{Code: 1, Err: fmt.Errorf("objects of %s failed to apply", strings.Join(failed, ", "))}
}

// pick keeps the sources named on the command line, in that order.
func (o *StatusOptions) pick(all []sourcestatus.Source) ([]sourcestatus.Source, error) {
	if len(o.Sources) == 0 {
		return all, nil
	}
	var out []sourcestatus.Source
	for _, name := range o.Sources {
		found := false
		for _, s := range all {
			if s.Name == name {
				out, found = append(out, s), true
			}
		}
		if !found {
			var known []string
			for _, s := range all {
				known = append(known, s.Name)
			}
			return nil, fmt.Errorf("source %q has no SourceState in %s (known: %v): is it in the agent's gitward.yaml?",
				name, o.namespaceText(), known)
		}
	}
	return out, nil
}

func (o *StatusOptions) namespaceText() string {
	if o.AllNamespaces {
		return "any namespace"
	}
	return "namespace " + o.AgentNamespace
}
