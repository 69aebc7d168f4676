package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra/doc"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	gitcmd "github.com/gitward/gitward/plugins/git-gitops/cmd"
)

// WriteMan writes section-1 man pages of git-gitops into dir:
// git-gitops.1, git-gitops-promote.1, and so on. `git gitops --help` runs
// `git help gitops`, which opens the man page git-gitops; with dir on
// MANPATH (make install-man puts them in ~/.local/share/man/man1) it works.
func WriteMan(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	root := gitcmd.NewCmdGitops(genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	root.DisableAutoGenTag = true
	hdr := &doc.GenManHeader{Title: "GIT-GITOPS", Section: "1", Source: "gitward", Manual: "Git Manual"}
	if err := doc.GenManTree(root, hdr, dir); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	// git help looks up a command git does not know as "gitops", not
	// "git-gitops": the same page under that name too.
	page, err := os.ReadFile(filepath.Join(dir, "git-gitops.1"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "gitops.1"), page, 0o644)
}
