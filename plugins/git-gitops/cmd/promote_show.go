package cmd

import (
	"fmt"
	"io"

	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/promote"
	"github.com/gitward/gitward/pkg/worktree"
)

// show prints what moves and TO's rendered difference to Out.
func (o *PromoteOptions) show(p *promote.Promotion) error {
	from := "HEAD"
	if p.Live {
		from = "live"
	}
	if _, err := fmt.Fprintf(o.Out, "Promote %s to %s, from %s@%s (%s)\n", p.Plan.From.Name, p.Plan.To.Name, p.Plan.From.Name, short(p.FromCommit), from); err != nil {
		return err
	}
	for _, m := range p.Plan.Moves {
		fmt.Fprintf(o.Out, "  %s\n", m)
	}
	for _, n := range p.Plan.Notes {
		fmt.Fprintf(o.Out, "  note: %s\n", n)
	}
	return showDiff(o.Out, p.Plan.To.Name, p.Preview, o.Color)
}

// showDiff prints an environment's rendered difference and its counts.
func showDiff(w io.Writer, env string, pv *promote.Preview, color bool) error {
	fmt.Fprintf(w, "\nRendered difference of %s:\n", env)
	if pv.BeforeErr != nil {
		fmt.Fprintf(w, "  note: %s does not render as it is (%v); every object shows as new\n", env, pv.BeforeErr)
	}
	if err := pv.Diff.WriteText(w, diff.TextOptions{Color: color}); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s: %s\n", env, pv.Diff.Counts())
	return err
}

// reportCommit says where the commit went, on ErrOut.
func reportCommit(w io.Writer, res *worktree.Result, env, branch string) {
	fmt.Fprintf(w, "Committed %s on %s.\n", short(res.Commit), orDetached(res.Branch))
	if branch != "" {
		fmt.Fprintf(w, "Your checkout stays where it was; review with: git show %s\n", branch)
	}
	if res.Pushed != "" {
		fmt.Fprintf(w, "Pushed %s to %s.\n", res.Branch, res.Pushed)
	}
}

func orDetached(branch string) string {
	if branch == "" {
		return "a detached HEAD"
	}
	return branch
}

func short(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}
