package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	agentcmd "github.com/gitward/gitward/agent/cmd"
	gitcmd "github.com/gitward/gitward/plugins/git-gitops/cmd"
	kubectlcmd "github.com/gitward/gitward/plugins/kubectl-gitops/cmd"
	webhookcmd "github.com/gitward/gitward/webhook/cmd"
)

// Options says where the pages go.
type Options struct {
	// Out is the folder the pages are written into; files ending in .md
	// there are removed first, so a deleted command loses its page.
	Out string
}

// program is one binary whose command tree is documented.
type program struct {
	binary string
	about  string
	root   func(genericiooptions.IOStreams) *cobra.Command
}

func programs() []program {
	return []program{
		{"kubectl-gitops", "the kubectl plugin", kubectlcmd.NewCmdGitops},
		{"git-gitops", "the git plugin", gitcmd.NewCmdGitops},
		{"gitward-webhook", "the validating admission webhook", webhookcmd.NewCmdRoot},
		{"gitward-agent", "the in-cluster pull agent", agentcmd.NewCmdRoot},
	}
}

// Run writes the pages and the index.
func (o Options) Run() error {
	if o.Out == "" {
		return fmt.Errorf("no output folder: pass -out")
	}
	// Defaults computed from HOME (kubectl's --cache-dir) print as ~/….
	if err := os.Setenv("HOME", "~"); err != nil {
		return err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", o.Out, err)
	}
	old, err := filepath.Glob(filepath.Join(o.Out, "*.md"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("removing stale page %s: %w", f, err)
		}
	}
	streams := genericiooptions.NewTestIOStreamsDiscard()
	var index bytes.Buffer
	index.WriteString("# Command reference\n\n")
	index.WriteString("Generated from the cobra commands by `make docs` (hack/gendocs); do not edit.\n")
	index.WriteString("`make test` fails when these pages are stale (`make docs-check`).\n")
	for _, p := range programs() {
		root := p.root(streams)
		var pages []string
		if err := walk(root, func(c *cobra.Command) error {
			name := pageName(c)
			pages = append(pages, name)
			return writePage(filepath.Join(o.Out, name), c)
		}); err != nil {
			return fmt.Errorf("%s: %w", p.binary, err)
		}
		sort.Strings(pages)
		fmt.Fprintf(&index, "\n## %s — %s\n\n", p.binary, p.about)
		for _, page := range pages {
			fmt.Fprintf(&index, "- [%s](%s)\n", strings.ReplaceAll(strings.TrimSuffix(page, ".md"), "_", " "), page)
		}
	}
	return os.WriteFile(filepath.Join(o.Out, "README.md"), index.Bytes(), 0o644)
}

// walk calls fn for c and every documented command below it.
func walk(c *cobra.Command, fn func(*cobra.Command) error) error {
	c.DisableAutoGenTag = true
	if err := fn(c); err != nil {
		return err
	}
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
			continue
		}
		if err := walk(sub, fn); err != nil {
			return err
		}
	}
	return nil
}

// pageName is cobra/doc's file name for c: its command path with spaces
// turned into underscores.
func pageName(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
}

func writePage(path string, c *cobra.Command) error {
	var buf bytes.Buffer
	if err := doc.GenMarkdownCustom(c, &buf, func(s string) string { return s }); err != nil {
		return fmt.Errorf("rendering %q: %w", c.CommandPath(), err)
	}
	if err := os.WriteFile(path, trimTrailingSpace(buf.Bytes()), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// trimTrailingSpace drops spaces and tabs at the end of every line, so that
// a page does not change with how a command's example text is indented.
func trimTrailingSpace(b []byte) []byte {
	lines := bytes.Split(b, []byte("\n"))
	for i, l := range lines {
		lines[i] = bytes.TrimRight(l, " \t")
	}
	return bytes.Join(lines, []byte("\n"))
}
