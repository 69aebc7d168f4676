package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"sigs.k8s.io/yaml"
)

// ANSI colours of the text output.
const (
	colorReset = "\x1b[0m"
	colorBold  = "\x1b[1m"
	colorRed   = "\x1b[31m"
	colorGreen = "\x1b[32m"
	colorCyan  = "\x1b[36m"
	colorDim   = "\x1b[2m"
)

// TextOptions configures WriteText.
type TextOptions struct {
	// Color writes ANSI colours (for a terminal).
	Color bool
}

// Counts is the number of objects per action.
type Counts struct {
	Create    int `json:"create"`
	Change    int `json:"change"`
	Delete    int `json:"delete"`
	Unchanged int `json:"unchanged"`
}

// Counts returns the number of objects per action.
func (r *Result) Counts() Counts {
	c := Counts{Unchanged: r.Unchanged}
	for _, d := range r.Objects {
		switch d.Action {
		case Create:
			c.Create++
		case Change:
			c.Change++
		case Delete:
			c.Delete++
		}
	}
	return c
}

// HasChanges reports whether any object is created, changed or deleted.
func (r *Result) HasChanges() bool { return len(r.Objects) > 0 }

// String is the one-line summary: "1 to create, 2 changed, 0 to delete, 5 unchanged".
func (c Counts) String() string {
	return fmt.Sprintf("%d to create, %d changed, %d to delete, %d unchanged", c.Create, c.Change, c.Delete, c.Unchanged)
}

// WriteText writes each difference as a unified diff, a changed object
// preceded by comment lines naming the field managers of the differing
// fields.
func (r *Result) WriteText(w io.Writer, o TextOptions) error {
	var sb strings.Builder
	for _, d := range r.Objects {
		for _, m := range d.Managers {
			line := fmt.Sprintf("# %s: fields owned by %s", d.Key, managerLabel(m))
			line += ": " + strings.Join(m.Fields, ", ")
			sb.WriteString(paint(o.Color, colorDim, line))
			sb.WriteByte('\n')
		}
		for _, l := range splitLines(d.Diff) {
			sb.WriteString(colorLine(o.Color, l))
			sb.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func managerLabel(m Manager) string {
	s := m.Name + " (" + m.Operation
	if m.Subresource != "" {
		s += ", " + m.Subresource
	}
	return s + ")"
}

func colorLine(on bool, l string) string {
	switch {
	case strings.HasPrefix(l, "--- "), strings.HasPrefix(l, "+++ "):
		return paint(on, colorBold, l)
	case strings.HasPrefix(l, "@@"):
		return paint(on, colorCyan, l)
	case strings.HasPrefix(l, "-"):
		return paint(on, colorRed, l)
	case strings.HasPrefix(l, "+"):
		return paint(on, colorGreen, l)
	}
	return l
}

func paint(on bool, c, s string) string {
	if !on {
		return s
	}
	return c + s + colorReset
}

// WriteSummary writes a table of the differences and a totals line.
func (r *Result) WriteSummary(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tKIND\tNAMESPACE\tNAME\tMANAGERS")
	for _, d := range r.Objects {
		kind := d.Key.Kind
		if d.Key.Group != "" {
			kind += "." + d.Key.Group
		}
		ns := d.Key.Namespace
		if ns == "" {
			ns = "-"
		}
		var names []string
		for _, m := range d.Managers {
			names = append(names, m.Name)
		}
		mgr := strings.Join(names, ",")
		if mgr == "" {
			mgr = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Action, kind, ns, d.Key.Name, mgr)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, r.Counts())
	return err
}

// Report is the machine-readable form of a Result (WriteJSON, WriteYAML).
type Report struct {
	Summary Counts       `json:"summary"`
	Objects []ObjectDiff `json:"objects"`
}

// Report returns the machine-readable form of r.
func (r *Result) Report() Report {
	objs := r.Objects
	if objs == nil {
		objs = []ObjectDiff{}
	}
	return Report{Summary: r.Counts(), Objects: objs}
}

// WriteJSON writes r.Report() as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.Report())
}

// WriteYAML writes r.Report() as YAML.
func (r *Result) WriteYAML(w io.Writer) error {
	b, err := yaml.Marshal(r.Report())
	if err != nil {
		return fmt.Errorf("diff: YAML report: %w", err)
	}
	_, err = w.Write(b)
	return err
}
