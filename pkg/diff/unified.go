package diff

import (
	"fmt"
	"strings"
)

// maxCells bounds the line-matching table; above it a changed region is
// shown as removed then added, which is still a correct diff.
const maxCells = 4_000_000

// op is one line of an edit script: ' ' kept, '-' removed, '+' added.
type op struct {
	kind byte
	text string
}

// editScript returns the lines of a and b as a shortest edit script over the
// longest common subsequence (common prefix and suffix are trimmed first, so
// a small change in a large object costs little).
func editScript(a, b []string) []op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops := make([]op, 0, len(a)+len(b))
	for _, l := range a[:pre] {
		ops = append(ops, op{' ', l})
	}
	ops = append(ops, middle(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		ops = append(ops, op{' ', l})
	}
	return ops
}

// middle diffs the differing middle region with an LCS table.
func middle(a, b []string) []op {
	n, m := len(a), len(b)
	var ops []op
	if n == 0 || m == 0 || n*m > maxCells {
		for _, l := range a {
			ops = append(ops, op{'-', l})
		}
		for _, l := range b {
			ops = append(ops, op{'+', l})
		}
		return ops
	}
	// lcs[i][j]: LCS length of a[i:] and b[j:].
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case a[i] == b[j]:
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
				lcs[i*w+j] = lcs[(i+1)*w+j]
			default:
				lcs[i*w+j] = lcs[i*w+j+1]
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			ops = append(ops, op{'-', a[i]})
			i++
		default:
			ops = append(ops, op{'+', b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, op{'-', a[i]})
	}
	for ; j < m; j++ {
		ops = append(ops, op{'+', b[j]})
	}
	return ops
}

// splitLines splits text into lines without their newlines.
func splitLines(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// unified returns the hunks of a unified diff of a and b with ctx lines of
// context, without file headers; "" when they are equal.
func unified(a, b string, ctx int) string {
	ops := editScript(splitLines(a), splitLines(b))
	var sb strings.Builder
	for start := 0; start < len(ops); {
		// Find the next change.
		c := start
		for c < len(ops) && ops[c].kind == ' ' {
			c++
		}
		if c == len(ops) {
			break
		}
		lo := max(c-ctx, start)
		// Extend the hunk while changes are within 2*ctx of each other.
		hi, gap := c, 0
		for k := c; k < len(ops); k++ {
			if ops[k].kind == ' ' {
				gap++
				if gap > 2*ctx {
					break
				}
				continue
			}
			gap = 0
			hi = k
		}
		end := min(hi+ctx+1, len(ops))
		writeHunk(&sb, ops, lo, end)
		start = end
	}
	return sb.String()
}

// writeHunk writes ops[lo:hi] with its @@ header.
func writeHunk(sb *strings.Builder, ops []op, lo, hi int) {
	aLine, bLine := 1, 1
	for _, o := range ops[:lo] {
		if o.kind != '+' {
			aLine++
		}
		if o.kind != '-' {
			bLine++
		}
	}
	aN, bN := 0, 0
	for _, o := range ops[lo:hi] {
		if o.kind != '+' {
			aN++
		}
		if o.kind != '-' {
			bN++
		}
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", hunkRange(aLine, aN), hunkRange(bLine, bN))
	for _, o := range ops[lo:hi] {
		sb.WriteByte(o.kind)
		sb.WriteString(o.text)
		sb.WriteByte('\n')
	}
}

// hunkRange formats "start,count" as GNU diff does (start is 0 for an empty
// range, the count is left out when it is 1).
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start-1)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
