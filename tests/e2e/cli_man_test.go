//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// `git gitops --help` opens the man page generated from the commands, with
// the real git and man, once the pages are on MANPATH (issue 14: "No manual
// entry for gitops").
func TestCLIGitHelpOpensManPage(t *testing.T) {
	for _, tool := range []string{"git", "man", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	dir := t.TempDir()
	bin, man := filepath.Join(dir, "bin"), filepath.Join(dir, "man")
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{
		{"go", "build", "-o", filepath.Join(bin, "git-gitops"), "./plugins/git-gitops"},
		{"go", "run", "./hack/gendocs", "-man", filepath.Join(man, "man1")},
	} {
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	cmd := exec.Command("git", "gitops", "--help")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"MANPATH="+man, "MANPAGER=cat", "PAGER=cat", "GIT_PAGER=cat")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "GIT-GITOPS(1)") || !strings.Contains(string(out), "promote") {
		t.Fatalf("git gitops --help: %v\n%s", err, out)
	}
}
