package trace

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText prints r for people: one "Label: value" line per fact, then the
// diff when the live object differs.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-9s %s\n", label+":", fmt.Sprintf(format, args...))
	}
	line("Object", "%s", r.Object)
	src := r.Source.Name
	var where []string
	if r.Source.Config != "" {
		where = append(where, r.Source.Config)
	}
	if r.Source.Path != "" {
		where = append(where, "path "+r.Source.Path)
	}
	if r.Source.Branch != "" {
		where = append(where, "branch "+r.Source.Branch)
	}
	if r.Source.Repo != "" {
		where = append(where, "repo "+r.Source.Repo)
	}
	if len(where) > 0 {
		src += " (" + strings.Join(where, ", ") + ")"
	}
	line("Source", "%s", src)
	line("Commit", "%s", r.Commit.ID)
	line("Author", "%s <%s>", r.Commit.Author, r.Commit.AuthorEmail)
	line("Date", "%s", r.Commit.Date.Format(time.RFC1123Z))
	line("Subject", "%s", r.Commit.Subject)
	switch {
	case !r.Declared:
		line("File", "(not declared at this commit)")
	case r.Generator != "":
		line("File", "%s (%s)", r.File, r.Generator)
	case r.File != "":
		line("File", "%s", r.File)
	default:
		line("File", "(unknown)")
	}
	switch {
	case r.Live == nil:
		line("Live", "not compared")
	case !r.Live.Differs:
		line("Live", "matches Git at %s", short(r.Commit.ID))
	default:
		line("Live", "differs from Git at %s: %s", short(r.Commit.ID), strings.Join(r.Live.Fields, ", "))
		for _, m := range r.Live.Managers {
			line("Changed", "by %s (%s): %s", m.Name, m.Operation, strings.Join(m.Fields, ", "))
		}
	}
	for _, n := range r.Notes {
		line("Note", "%s", n)
	}
	if r.Live != nil && r.Live.Diff != "" {
		b.WriteString("\n")
		b.WriteString(r.Live.Diff)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints r as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func short(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}
