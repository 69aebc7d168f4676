package sourcestatus

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// TableOptions tune WriteTable.
type TableOptions struct {
	// Namespaces adds a NAMESPACE column (for sources of every namespace).
	Namespaces bool
}

// maxMessage bounds the MESSAGE column; the details below the table and
// -o json carry the whole text.
const maxMessage = 60

// WriteTable prints one line per source, then the last error, the failed
// and the drifted objects of each source that has any.
func WriteTable(w io.Writer, sources []Source, o TableOptions) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := "SOURCE\tBRANCH\tAPPLIED\tHEAD\tSYNC\tMANAGED\tDRIFTED\tFAILED\tREADY\tMESSAGE"
	if o.Namespaces {
		head = "NAMESPACE\t" + head
	}
	fmt.Fprintln(tw, head)
	for _, s := range sources {
		applied := short(s.LastAppliedCommit)
		if s.AppliedBy != "" {
			applied += " (sync)" // a kubectl gitops sync applied it after the agent's last cycle
		}
		row := []string{s.Name, dash(s.Branch), applied, short(s.Head), s.Sync,
			strconv.Itoa(s.Managed), strconv.Itoa(s.Drifted), strconv.Itoa(s.Failed), readyOf(s), dash(clip(message(s)))}
		if o.Namespaces {
			row = append([]string{s.Namespace}, row...)
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeDetails(w, sources)
}

// writeDetails prints what the table cuts short.
func writeDetails(w io.Writer, sources []Source) error {
	var b strings.Builder
	for _, s := range sources {
		if s.LastError != "" {
			fmt.Fprintf(&b, "\n%s: last error: %s\n", s.Name, s.LastError)
		}
		for _, f := range s.FailedObjects {
			fmt.Fprintf(&b, "%s: failed: %s\n", s.Name, f)
		}
		for _, d := range s.DriftedObjects {
			fmt.Fprintf(&b, "%s: drifted: %s", s.Name, refString(d))
			if len(d.Managers) > 0 {
				fmt.Fprintf(&b, " changed by %s", strings.Join(d.Managers, ", "))
			}
			if len(d.Fields) > 0 {
				fmt.Fprintf(&b, " (%s)", strings.Join(d.Fields, ", "))
			}
			if d.Corrected {
				b.WriteString(", corrected")
			}
			b.WriteString("\n")
		}
		for _, p := range s.PendingObjects {
			fmt.Fprintf(&b, "%s: out of sync (detect-only): %s\n", s.Name, p)
		}
		for _, p := range s.PrunePending {
			fmt.Fprintf(&b, "%s: not pruned: %s\n", s.Name, p)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Report is the JSON document WriteJSON prints.
type Report struct {
	Sources []Source `json:"sources"`
}

// WriteJSON prints the sources as an indented JSON Report.
func WriteJSON(w io.Writer, sources []Source) error {
	if sources == nil {
		sources = []Source{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(Report{Sources: sources})
}

func refString(d DriftedObject) string {
	kind := d.Ref.Kind
	if d.Ref.Group != "" {
		kind += "." + d.Ref.Group
	}
	if d.Ref.Namespace != "" {
		return kind + " " + d.Ref.Namespace + "/" + d.Ref.Name
	}
	return kind + " " + d.Ref.Name
}

// message is the last error, else the Ready condition's message.
func message(s Source) string {
	if s.LastError != "" {
		return s.LastError
	}
	for _, c := range s.Conditions {
		if c.Type == "Ready" {
			return c.Message
		}
	}
	return ""
}

func readyOf(s Source) string {
	if s.Reason == "" {
		return s.Ready
	}
	return s.Ready + " (" + s.Reason + ")"
}

func short(commit string) string {
	if len(commit) > 7 {
		return commit[:7]
	}
	return dash(commit)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxMessage {
		return string(r[:maxMessage-3]) + "..."
	}
	return s
}
