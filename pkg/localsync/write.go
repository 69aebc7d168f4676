package localsync

import (
	"fmt"
	"io"
	"strings"
)

// WriteText prints what Sync did, one line per object written, pruned,
// drifted or failed, then a summary line.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	short := r.Commit
	if len(short) > 7 {
		short = short[:7]
	}
	var applied, unchanged, failed, drifted, pruned, kept int
	if a := r.Apply; a != nil {
		for _, ref := range a.Applied {
			fmt.Fprintf(&b, "applied   %s\n", ref)
		}
		for _, d := range a.Drifted {
			fmt.Fprintf(&b, "drifted   %s (changed by %s)", d.Ref, strings.Join(d.Managers, ", "))
			if d.Corrected {
				b.WriteString(", corrected")
			}
			b.WriteString("\n")
		}
		for _, f := range a.Failed {
			fmt.Fprintf(&b, "failed    %v\n", f)
		}
		applied, unchanged, failed, drifted = len(a.Applied), a.Unchanged, len(a.Failed), len(a.Drifted)
	}
	if p := r.Prune; p != nil {
		for _, ref := range p.Pruned {
			fmt.Fprintf(&b, "pruned    %s\n", ref)
		}
		for _, k := range p.Kept {
			fmt.Fprintf(&b, "kept      %s (%s)\n", k.Ref, k.Reason)
		}
		for _, f := range p.Failed {
			fmt.Fprintf(&b, "failed    %v\n", f)
		}
		pruned, kept = len(p.Pruned), len(p.Kept)
		failed += len(p.Failed)
	}
	fmt.Fprintf(&b, "source %s at %s: %d applied, %d unchanged, %d drifted, %d pruned, %d kept, %d failed\n",
		r.Source, short, applied, unchanged, drifted, pruned, kept, failed)
	_, err := io.WriteString(w, b.String())
	return err
}
