package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
)

// An unreachable kubeconfig gives one error naming the server, without
// client-go's klog lines (issue 14: "E1203 … memcache.go", then "does not
// serve this kind").
func TestUnreachableClusterSaidOnce(t *testing.T) {
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	writeKubeconfig(t, kubeconfig)
	file := filepath.Join(dir, "cm.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"diff", "-f", file}, {"status"}} {
		t.Run(args[0], func(t *testing.T) {
			streams, _, out, errOut := genericiooptions.NewTestIOStreams()
			root := NewCmdGitops(streams)
			root.SetArgs(append(args, "--kubeconfig", kubeconfig, "--cache-dir", filepath.Join(dir, "cache")))
			code := cli.Execute(root, streams)
			stderr := errOut.String()
			if code == 0 || !strings.Contains(stderr, "cannot reach the cluster at https://127.0.0.1:1") {
				t.Errorf("exit %d, stderr:\n%s", code, stderr)
			}
			if strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "memcache") || strings.Contains(stderr, "does not serve") {
				t.Errorf("want one line of stderr, got:\n%s\nstdout:\n%s", stderr, out.String())
			}
		})
	}
}
