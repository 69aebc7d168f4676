// Command gendocs writes one Markdown reference page per command of
// kubectl-gitops, git-gitops, gitward-webhook and gitward-agent, from their
// cobra commands, and an index (README.md).
//
//	go run ./hack/gendocs -out docs/reference
//	go run ./hack/gendocs -man ~/.local/share/man/man1   # git-gitops man pages
//
// The pages do not depend on the machine: HOME is set to "~" while the
// commands are built, so defaults read from it print as ~/…, and cobra's
// "Auto generated … on <date>" footer is off. `make docs-check` generates
// into a temporary folder and fails when docs/reference differs.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	o := Options{}
	flag.StringVar(&o.Out, "out", "docs/reference", "folder to write the pages into (replaced)")
	man := flag.String("man", "", "write git-gitops man pages (section 1) into this folder instead")
	flag.Parse()
	if *man != "" {
		if err := WriteMan(*man); err != nil {
			fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if err := o.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
		os.Exit(1)
	}
}
