//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
	"github.com/gitward/gitward/plugins/kubectl-gitops/cmd"
	"github.com/gitward/gitward/tests/localcluster"
)

// diffRun is one run of `kubectl gitops diff`.
type diffRun struct {
	code           int
	stdout, stderr string
}

// report decodes stdout of a run with -o json.
func (r diffRun) report(t *testing.T) diff.Report {
	t.Helper()
	var rep diff.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\n%s\nstderr: %s", err, r.stdout, r.stderr)
	}
	return rep
}

// actions maps "Kind/name" to the action of each difference.
func (r diffRun) actions(t *testing.T) map[string]diff.Action {
	t.Helper()
	out := map[string]diff.Action{}
	for _, d := range r.report(t).Objects {
		out[d.Key.Kind+"/"+d.Key.Name] = d.Action
	}
	return out
}

// runDiff runs `kubectl gitops diff` in process against kubeconfig, from dir.
func runDiff(t *testing.T, kubeconfig, dir string, args ...string) diffRun {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	root := cmd.NewCmdGitops(streams)
	root.SetArgs(append([]string{"diff", "--kubeconfig", kubeconfig, "--cache-dir", filepath.Join(t.TempDir(), "cache")}, args...))
	code := cli.Execute(root, streams)
	return diffRun{code: code, stdout: out.String(), stderr: errOut.String()}
}

// applyFolder renders folder like the agent and applies it for source at commit.
func applyFolder(t *testing.T, c *localcluster.Cluster, root, folder, source, commit string) {
	t.Helper()
	res, err := render.Dir(t.Context(), root, folder, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := apply.ForConfig(c.RESTConfig(), apply.Options{Source: source, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	objs := make([]apply.Object, len(res.Objects))
	for i, u := range res.Objects {
		objs[i] = apply.Object{Object: u}
	}
	out, err := a.Apply(t.Context(), provenance.CommitID(commit), objs)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Err(); err != nil {
		t.Fatal(err)
	}
}

// toolsBin is where `make tools` put kubectl.
func toolsBin(t *testing.T) string {
	t.Helper()
	o := localcluster.Options{}
	if err := o.Complete(); err != nil {
		t.Fatal(err)
	}
	return o.BinDir
}

// writeWorkload writes the benchmark workload of bench/diff (the same as
// /work/shared/bench/gen-objects.py): n objects in namespace bench, half
// ConfigMaps, a quarter Deployments, a quarter headless Services; with
// every > 0, each every-th object of each kind changed.
func writeWorkload(t testing.TB, path string, n, every int) {
	t.Helper()
	ncm, ndep := n/2, n/4
	nsvc := n - ncm - ndep
	docs := []string{"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench\n"}
	changed := func(i int) bool { return every > 0 && i%every == 0 }
	for i := range ncm {
		v := fmt.Sprintf("value-%d", i)
		if changed(i) {
			v = fmt.Sprintf("changed-%d", i)
		}
		docs = append(docs, fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: bench\ndata:\n  key: %s\n  other: x\n", i, v))
	}
	for i := range ndep {
		r := 1
		if changed(i) {
			r = 2
		}
		docs = append(docs, fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-%[1]d
  namespace: bench
spec:
  replicas: %[2]d
  selector:
    matchLabels: {app: web-%[1]d}
  template:
    metadata:
      labels: {app: web-%[1]d}
    spec:
      containers:
      - name: web
        image: nginx:1.25.%[3]d
        resources:
          requests: {cpu: 100m, memory: 64Mi}
`, i, r, i%10))
	}
	for i := range nsvc {
		tp := 8080
		if changed(i) {
			tp = 9090
		}
		docs = append(docs, fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: svc-%[1]d
  namespace: bench
spec:
  clusterIP: None
  selector: {app: web-%[1]d}
  ports:
  - port: 80
    targetPort: %[2]d
`, i, tp))
	}
	if err := os.WriteFile(path, []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}
