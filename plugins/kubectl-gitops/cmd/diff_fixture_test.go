package cmd

import (
	"os"
	"testing"
)

// writeKubeconfig writes a kubeconfig pointing at a loopback address that
// nothing listens on (Complete builds clients without connecting).
func writeKubeconfig(t *testing.T, path string) {
	t.Helper()
	const cfg = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
contexts:
- name: c
  context: {cluster: c, user: u, namespace: from-context}
current-context: c
users:
- name: u
  user: {token: test}
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}
