//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

// agentRepo is the Git side of an agent test: a working repository whose
// app/ folder (a Namespace, manifests and a kustomization listing them) the
// agent tracks, and the bare repository the agent fetches main from.
type agentRepo struct {
	*gittest.Repo
	bare string
}

// appFile is a manifest under app/: its name and its content.
type appFile struct{ name, content string }

// newAgentRepo commits app/ns.yaml (Namespace ns), files and a kustomization
// listing ns.yaml and then files in order, as msg, and clones it bare.
func newAgentRepo(t *testing.T, ns, msg string, files ...appFile) *agentRepo {
	t.Helper()
	r := &agentRepo{Repo: gittest.NewRepo(t)}
	r.writeApp(ns, files...).Commit(msg)
	r.bare = r.Bare()
	return r
}

// writeApp writes app/ns.yaml (Namespace ns), files and a kustomization
// listing ns.yaml and then files in order; it commits nothing.
func (r *agentRepo) writeApp(ns string, files ...appFile) *gittest.Repo {
	names := []string{"ns.yaml"}
	r.WriteFile("app/ns.yaml", namespaceYAML(ns))
	for _, f := range files {
		names = append(names, f.name)
		r.WriteFile("app/"+f.name, f.content)
	}
	return r.WriteFile("app/kustomization.yaml", kustomization(names...))
}

// push commits the working tree as msg and pushes it to main.
func (r *agentRepo) push(msg string) {
	r.Commit(msg)
	r.pushHead()
}

// pushHead pushes the current head (a revert, say) to main.
func (r *agentRepo) pushHead() { r.Push(r.bare, "main") }

// httpURL serves the bare repository over HTTP on loopback until the test
// ends and returns its URL.
func (r *agentRepo) httpURL(t *testing.T) string {
	t.Helper()
	return gittest.ServeHTTP(t, r.bare)
}

// configMaps returns n ConfigMap manifests in ns with value, named by
// format and the index ("cm-%02d": cm-00, cm-01, …), each in <name>.yaml.
func configMaps(ns, format string, n int, value string) []appFile {
	files := make([]appFile, n)
	for i := range files {
		name := fmt.Sprintf(format, i)
		files[i] = appFile{name + ".yaml", configMapYAML(ns, name, value)}
	}
	return files
}

// configMapFile is ConfigMap ns/name with value, in <name>.yaml.
func configMapFile(ns, name, value string) appFile {
	return appFile{name + ".yaml", configMapYAML(ns, name, value)}
}

// configMapYAML is a ConfigMap manifest.
func configMapYAML(ns, name, value string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: %s\ndata:\n  value: %q\n", name, ns, value)
}

// namespaceYAML is a Namespace manifest.
func namespaceYAML(name string) string {
	return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n"
}

// kustomization lists resources.
func kustomization(resources ...string) string {
	return "resources:\n- " + strings.Join(resources, "\n- ") + "\n"
}
