package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/diff/desired"
	"github.com/gitward/gitward/pkg/provenance"
)

// Run loads the desired state, compares it with the cluster and writes the
// result. It returns a *cli.ExitError with code 1 when there are differences
// and code 2 on failure, as kubectl diff exits.
func (o *DiffOptions) Run(ctx context.Context) error {
	st, err := desired.Load(ctx, desired.Options{
		Path: o.Path, Files: o.Filenames, Revision: o.Revision, Source: o.Source, AllowRemote: o.AllowRemote, Stdin: o.In,
	})
	if err != nil {
		return &cli.ExitError{Code: 2, Err: err}
	}
	res, err := diff.Live(ctx, st.Objects, diff.LiveOptions{
		Dynamic:          o.Dynamic,
		Mapper:           o.Mapper,
		Metadata:         o.Metadata,
		Discovery:        o.Discovery,
		Source:           st.Source,
		InferSource:      st.Source == "",
		Commit:           st.Commit,
		DefaultNamespace: o.Namespace,
		Concurrency:      o.Concurrency,
		Diff:             diff.Options{Masker: o.Masker, Context: contextLines(o.Context)},
		Progress:         o.progressFunc(),
	})
	o.endProgress()
	if err != nil {
		return &cli.ExitError{Code: 2, Err: fmt.Errorf("diff %s: %w", st.From, err)}
	}
	switch {
	case st.Source == "" && res.PruneSource != "":
		fmt.Fprintf(o.ErrOut, "prune candidates: the live objects carry %s=%s, so objects with that label that Git no longer declares are shown as deletions\n",
			provenance.LabelSource, res.PruneSource)
	case st.Source == "" && len(res.AmbiguousSources) > 1:
		fmt.Fprintf(o.ErrOut, "warning: the live objects belong to several sources (%s): name one with --source to see what it would prune\n",
			strings.Join(res.AmbiguousSources, ", "))
	}
	if err := o.write(res); err != nil {
		return &cli.ExitError{Code: 2, Err: err}
	}
	if res.HasChanges() {
		return &cli.ExitError{Code: 1}
	}
	return nil
}

// contextLines maps --unified 0 to diff.Options' "none" (negative).
func contextLines(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// write prints res in the chosen format.
func (o *DiffOptions) write(res *diff.Result) error {
	switch {
	case o.Output == "json":
		return res.WriteJSON(o.Out)
	case o.Output == "yaml":
		return res.WriteYAML(o.Out)
	case o.Summary:
		return res.WriteSummary(o.Out)
	}
	return res.WriteText(o.Out, diff.TextOptions{Color: o.color})
}

// progressFunc returns a progress callback that redraws one line on stderr,
// or nil when stderr is not a terminal.
func (o *DiffOptions) progressFunc() func(phase string, done, total int) {
	if !o.progress {
		return nil
	}
	return func(phase string, done, total int) {
		fmt.Fprintf(o.ErrOut, "\r\x1b[K%s %d/%d", phase, done, total)
	}
}

// endProgress clears the progress line.
func (o *DiffOptions) endProgress() {
	if o.progress {
		fmt.Fprint(o.ErrOut, "\r\x1b[K")
	}
}
