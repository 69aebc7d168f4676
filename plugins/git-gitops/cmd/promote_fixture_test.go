package cmd

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testdata is absolute: the commands run with the repository as the
// current directory (t.Chdir).
var testdata, _ = filepath.Abs("testdata")

// gitRepo is a repository the commands run in, with the git environment
// of the test process set so that only the repository's config counts.
func gitRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_DIR", "GIT_WORK_TREE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	r := gittest.NewRepo(t)
	r.Git("config", "user.name", "Grace Hopper")
	r.Git("config", "user.email", "grace@example.invalid")
	return r
}

// overlays writes gittest's Layout (base plus overlays/dev|staging|production)
// with these image tags; it does not commit.
func overlays(r *gittest.Repo, dev, staging, production string) {
	r.WriteFiles(gittest.Layout{Tags: map[string]string{"dev": dev, "staging": staging, "production": production}}.Files())
}

// run runs `git gitops args...` in dir and returns the transcript.
func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	t.Chdir(dir)
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	code := cli.Execute(withArgs(NewCmdGitops(streams), args), streams)
	return fmt.Sprintf("$ git gitops %s\n--- stdout\n%s--- stderr\n%s--- exit %d\n", strings.Join(args, " "), out, errOut, code)
}

var (
	fullHash  = regexp.MustCompile(`\b[0-9a-f]{40}\b`)
	shortHash = regexp.MustCompile(`\b[0-9a-f]{7}\b`)
	hmac      = regexp.MustCompile(`hmac:[0-9a-f]{12}`)
)

// golden compares got, with the repository path and commit ids scrubbed,
// with testdata/<name>.golden (rewritten with -update).
func golden(t *testing.T, r *gittest.Repo, name, got string) {
	t.Helper()
	if real, err := filepath.EvalSymlinks(r.Dir); err == nil {
		got = strings.ReplaceAll(got, real, "<repo>")
	}
	got = strings.ReplaceAll(got, r.Dir, "<repo>")
	got = fullHash.ReplaceAllString(got, "<commit>")
	got = shortHash.ReplaceAllString(got, "<short>")
	got = hmac.ReplaceAllString(got, "hmac:<mask>")
	file := filepath.Join(testdata, filepath.FromSlash(name)+".golden")
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s--- want\n%s", file, got, want)
	}
}

// withArgs sets the arguments of root.
func withArgs(root *cobra.Command, args []string) *cobra.Command {
	root.SetArgs(args)
	return root
}
