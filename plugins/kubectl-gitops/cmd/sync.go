package cmd

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/diff"
)

// Client tuning of sync: a burst of applies, like the agent's.
const (
	syncQPS   = 100
	syncBurst = 200
)

// errSyncUsage marks invalid flags of sync.
var errSyncUsage = errors.New("invalid flags")

// SyncOptions holds the flags and clients of `kubectl gitops sync`.
type SyncOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Source         string
	Folder         string
	AllowDirty     bool
	AllowRemote    bool
	Prune          bool
	AllowEmpty     bool
	AllowPlaintext bool
	DryRun         bool
	Summary        bool
	Force          bool
	AgentNamespace string
	Concurrency    int

	// Clients; Complete builds them from ConfigFlags unless a test set them.
	Dynamic   dynamic.Interface
	Metadata  metadata.Interface
	Discovery discovery.ServerResourcesInterface
	Mapper    meta.RESTMapper
	// Namespace is set on namespaced objects without one (-n, else the
	// kubeconfig context's namespace, else "default").
	Namespace string
	// Masker masks Secret values in --dry-run output; default: random key.
	Masker *diff.Masker
}

// NewSyncOptions returns the defaults of `kubectl gitops sync`.
func NewSyncOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *SyncOptions {
	return &SyncOptions{ConfigFlags: flags, IOStreams: streams, AgentNamespace: DefaultAgentNamespace,
		Concurrency: apply.DefaultConcurrency, Force: true}
}

const syncExample = `  # Apply the source "production" of gitward.yaml at the checkout's HEAD
  kubectl gitops sync --source production

  # See first what it would do
  kubectl gitops sync --source production --dry-run

  # The source whose path is this folder, pruning what Git no longer declares
  kubectl gitops sync overlays/production --prune

  # Push-mode CI: apply the commit being built
  git checkout "$CI_COMMIT_SHA" && kubectl gitops sync --source production --prune`

// NewCmdSync returns `kubectl gitops sync`.
func NewCmdSync(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewSyncOptions(flags, streams)
	cmd := &cobra.Command{
		Use:   "sync [FOLDER] [--source NAME]",
		Short: "Apply a source once from this checkout, as the agent would",
		Long: `Apply a source once, from this machine, through the agent's own apply
engine: Namespaces and CRDs first, server-side apply with field manager
gitward, objects whose digest did not change skipped. For bootstrapping a
cluster, and for push-mode CI.

Every object is stamped with the contract the webhook checks: the label
gitward.dev/source=<source> and the annotation gitward.dev/commit=<HEAD of
this checkout>. The commit must describe the content, so sync refuses when
uncommitted or untracked changes reach the rendering (files outside it do not
matter), unless --allow-dirty; and it warns when HEAD is not on the source's
branch, since the webhook admits only commits on the tracked branch.

The source is --source NAME from gitward.yaml, or the source whose path is
FOLDER (default: the current folder). --prune deletes the objects of the
source that Git no longer declares, using the agent's inventory (the
SourceState in --agent-namespace, which every sync records), and the objects
labelled for the source, with the agent's guards. --dry-run changes nothing
and shows the difference with the cluster.

A Secret committed with real values in data or stringData is refused (the
plaintext-secret finding of git gitops check): seal it with kubectl gitops
seal, or pass --allow-plaintext-secrets.`,
		Example:      templates.Examples(syncExample),
		Args:         cobra.MaximumNArgs(1),
		SilenceUsage: true,
		RunE:         cli.Steps{Complete: o.Complete, Validate: o.Validate, Run: o.Run, Kube: o.ConfigFlags}.RunE,
	}
	f := cmd.Flags()
	f.StringVar(&o.Source, "source", "", "Name of a source in gitward.yaml (with FOLDER: the source name to stamp)")
	f.BoolVar(&o.DryRun, "dry-run", false, "Change nothing; show how the cluster differs from what sync would apply")
	f.BoolVar(&o.Summary, "summary", false, "With --dry-run, one line per object instead of the diff")
	f.BoolVar(&o.Prune, "prune", false, "Delete objects of the source that Git no longer declares (needs the agent's SourceState CRD)")
	f.BoolVar(&o.AllowEmpty, "allow-empty", false, "With --prune, let an empty rendering prune every object of the source")
	f.BoolVar(&o.AllowPlaintext, "allow-plaintext-secrets", false, "Apply Secrets committed in plaintext (refused by default: seal them with kubectl gitops seal)")
	f.BoolVar(&o.AllowDirty, "allow-dirty", false, "Apply even when uncommitted changes reach the rendering (the commit will not describe the objects)")
	f.BoolVar(&o.Force, "force-conflicts", o.Force, "Take ownership of fields other field managers own, as the agent does by default")
	f.StringVar(&o.AgentNamespace, "agent-namespace", o.AgentNamespace, "Namespace of the agent's SourceState objects (the inventory every sync records and --prune reads)")
	f.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "Applies in flight")
	f.BoolVar(&o.AllowRemote, "allow-remote-bases", false, "Let kustomize fetch remote bases")
	return cmd
}

// Complete takes the folder and builds the clients unless a test set them.
func (o *SyncOptions) Complete(args []string) error {
	if len(args) == 1 {
		o.Folder = args[0]
	}
	if o.Dynamic != nil && o.Mapper != nil {
		o.Namespace = cmp.Or(o.Namespace, "default")
		return nil
	}
	c, err := cli.NewClients(o.ConfigFlags, cli.ClientOptions{QPS: syncQPS, Burst: syncBurst,
		Namespace: true, Metadata: true, Discovery: true, Mapper: true})
	if err != nil {
		return err
	}
	o.Namespace, o.Dynamic, o.Metadata, o.Discovery, o.Mapper = c.Namespace, c.Dynamic, c.Metadata, c.Discovery, c.Mapper
	return nil
}

// Validate refuses flag combinations that make no sense.
func (o *SyncOptions) Validate() error {
	switch {
	case o.Summary && !o.DryRun:
		return fmt.Errorf("%w: --summary shapes the output of --dry-run; add --dry-run", errSyncUsage)
	case o.AllowEmpty && !o.Prune:
		return fmt.Errorf("%w: --allow-empty is about pruning; add --prune", errSyncUsage)
	case o.Prune && o.AgentNamespace == "":
		return fmt.Errorf("%w: --prune needs --agent-namespace (where the inventory is kept)", errSyncUsage)
	case o.Concurrency < 1:
		return fmt.Errorf("%w: --concurrency must be at least 1, got %d", errSyncUsage, o.Concurrency)
	}
	return nil
}
