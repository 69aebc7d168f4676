package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/history"
)

// HistoryOptions holds the flags of `git gitops history`.
type HistoryOptions struct {
	genericiooptions.IOStreams

	Dir         string
	Environment string
	Rev         string
	Limit       int
	Output      string
	NoCache     bool
	AllowRemote bool

	repo      *gitrepo.Repo
	cacheFile string
}

// NewHistoryOptions returns the defaults of `git gitops history`.
func NewHistoryOptions(streams genericiooptions.IOStreams) *HistoryOptions {
	return &HistoryOptions{IOStreams: streams, Rev: "HEAD", Output: "text"}
}

// NewCmdHistory returns `git gitops history`.
func NewCmdHistory(streams genericiooptions.IOStreams) *cobra.Command {
	o := NewHistoryOptions(streams)
	cmd := &cobra.Command{
		Use:   "history [ENV]",
		Short: "List the commits that changed an environment's rendered output",
		Long: `List, newest first, the commits of the first-parent history that changed
what ENV renders to: a change to a base it uses counts, a commit that touches
only other environments or unrelated files does not. Promotions made by
git gitops promote are marked with where they came from.

Renderings are compared by digest; digests are cached in the Git folder.
Without ENV it lists the environments of the checkout.`,
		Example: `  git gitops history production
  git gitops history staging --limit 10 -o json`,
		Args:         cobra.MaximumNArgs(1),
		SilenceUsage: true,
		RunE:         cli.Steps{Complete: o.Complete, Validate: o.Validate, Run: o.Run}.RunE,
	}
	f := cmd.Flags()
	f.StringVar(&o.Rev, "rev", o.Rev, "start the history at this revision")
	f.IntVar(&o.Limit, "limit", o.Limit, "list at most this many commits (0: all)")
	f.StringVarP(&o.Output, "output", "o", o.Output, "output format: text or json")
	f.BoolVar(&o.NoCache, "no-cache", o.NoCache, "do not read or write the digest cache")
	f.BoolVar(&o.AllowRemote, "allow-remote", o.AllowRemote, "let kustomize fetch remote bases")
	f.StringVarP(&o.Dir, "directory", "C", o.Dir, "run as if started in this folder")
	return cmd
}

// Complete opens the checkout and finds the cache file.
func (o *HistoryOptions) Complete(args []string) error {
	if len(args) == 1 {
		o.Environment = args[0]
	}
	repo, err := openCheckout(o.Dir)
	if err != nil {
		return err
	}
	o.repo = repo
	if st, ok := repo.Git().Storer.(*filesystem.Storage); ok && !o.NoCache {
		o.cacheFile = filepath.Join(st.Filesystem().Root(), "gitward", "history-cache.json")
	}
	return nil
}

// Validate checks the flags.
func (o *HistoryOptions) Validate() error {
	if o.Output != "text" && o.Output != "json" {
		return &cli.ExitError{Code: 2, Err: fmt.Errorf("--output %q: use text or json", o.Output)}
	}
	if o.Limit < 0 {
		return &cli.ExitError{Code: 2, Err: fmt.Errorf("--limit %d: must not be negative", o.Limit)}
	}
	return nil
}

// Run walks the history and prints it.
func (o *HistoryOptions) Run(ctx context.Context) error {
	if o.Environment == "" {
		return o.listEnvironments()
	}
	var cache history.Cache = &history.MemoryCache{}
	var fc *history.FileCache
	if o.cacheFile != "" {
		fc = history.OpenFileCache(o.cacheFile)
		cache = fc
	}
	entries, stats, err := history.Run(ctx, history.Options{
		Repo: o.repo, Environment: o.Environment, Rev: o.Rev, Limit: o.Limit,
		Cache: cache, AllowRemote: o.AllowRemote,
	})
	if err != nil {
		return &cli.ExitError{Code: 2, Err: err}
	}
	if fc != nil {
		if err := fc.Save(); err != nil {
			fmt.Fprintf(o.ErrOut, "warning: %v\n", err)
		}
	}
	if o.Output == "json" {
		if entries == nil {
			entries = []history.Entry{}
		}
		enc := json.NewEncoder(o.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%s %s %s  %s", e.Commit[:7], e.When.Format("2006-01-02"), e.Author, e.Subject)
		if e.PromotedFrom != "" {
			fmt.Fprintf(&b, "  [promoted from %s]", shortRef(e.PromotedFrom))
		}
		if strings.HasPrefix(e.Digest, "error:") {
			b.WriteString("  [does not render]")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(o.ErrOut, "%d of %d commits changed %s (%d rendered, %d cached)\n",
		len(entries), stats.Commits, o.Environment, stats.Rendered, stats.Cached)
	_, err = fmt.Fprint(o.Out, b.String())
	return err
}

// shortRef shortens the commit of "env@commit".
func shortRef(s string) string {
	env, commit, ok := strings.Cut(s, "@")
	if ok && len(commit) > 7 {
		return env + "@" + commit[:7]
	}
	return s
}

// listEnvironments prints the environments to choose from, as a user
// running `git gitops history` without one wants to see.
func (o *HistoryOptions) listEnvironments() error {
	wt, err := o.repo.Git().Worktree()
	if err != nil {
		return &cli.ExitError{Code: 2, Err: fmt.Errorf("history: the repository has no working tree: %w", err)}
	}
	cfg, err := config.Load(wt.Filesystem.Root())
	if err != nil {
		return &cli.ExitError{Code: 2, Err: fmt.Errorf("history: %w", err)}
	}
	if o.Output == "json" {
		enc := json.NewEncoder(o.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(cfg.Environments)
	}
	fmt.Fprintln(o.ErrOut, "name an environment: git gitops history ENV")
	for _, e := range cfg.Environments {
		fmt.Fprintf(o.Out, "%s\t%s\n", e.Name, e.Path)
	}
	return nil
}
