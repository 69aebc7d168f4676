//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/trace"
	"github.com/gitward/gitward/tests/localcluster"
)

// helmEnvPath is the chart environment's path (its values file): what
// sources, the agent and the CLI name it by.
const helmEnvPath = "helm-guestbook/values-prod.yaml"

// helmDeployment is the guestbook Deployment the chart renders for
// release "guestbook" (its fullname helper: release-chart).
const helmDeployment = "guestbook-helm-guestbook"

const helmGitwardYAML = `apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
- name: guestbook
  chart:
    path: helm-guestbook
    values: [` + helmEnvPath + `]
    release: guestbook
    namespace: guestbook
sources:
- {name: guestbook, branch: main, path: ` + helmEnvPath + `}
policies: [policies/]
`

// helmRepo is a checkout holding argoproj/argocd-example-apps'
// helm-guestbook chart (vendored in pkg/helm/testdata) as a chart
// environment with replicas, and a Kyverno policy requiring resources.
func helmRepo(t *testing.T, replicas string) *gittest.Repo {
	t.Helper()
	r := gittest.NewRepo(t)
	src := filepath.Join("..", "..", "pkg", "helm", "testdata", "helm-guestbook")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(src, p)
		r.WriteFile(filepath.ToSlash(filepath.Join("helm-guestbook", rel)), string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r.WriteFile("gitward.yaml", helmGitwardYAML).
		WriteFile("policies/require-requests.yaml", helmPolicy)
	writeHelmValues(r, replicas)
	r.Commit("guestbook: chart environment")
	return r
}

func writeHelmValues(r *gittest.Repo, replicas string) {
	r.WriteFile(helmEnvPath, "replicaCount: "+replicas+"\nimage:\n  repository: registry.k8s.io/pause\n  tag: \"3.9\"\n")
}

const helmPolicy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-requests
spec:
  validationFailureAction: Enforce
  rules:
  - name: containers-have-requests
    match:
      any:
      - resources:
          kinds: [Deployment]
    validate:
      message: "every container needs resources.requests"
      pattern:
        spec:
          template:
            spec:
              containers:
              - resources:
                  requests:
                    memory: "?*"
`

func helmNamespace(t *testing.T, kube kubernetes.Interface) {
	t.Helper()
	if _, err := kube.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "guestbook"}},
		metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestHelmSyncTraceDiff syncs a chart environment with `kubectl gitops
// sync`, then diffs and traces the chart's objects back to their
// template files.
func TestHelmSyncTraceDiff(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	kube := pluginAgentNamespace(t, c)
	helmNamespace(t, kube)
	r := helmRepo(t, "2")

	runGitops(t, c.Kubeconfig, r.Dir, "sync", "--source", "guestbook").mustSucceed(t, "sync")
	d, err := kube.AppsV1().Deployments("guestbook").Get(t.Context(), helmDeployment, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the chart's Deployment after sync: %v", err)
	}
	if *d.Spec.Replicas != 2 || d.Spec.Template.Spec.Containers[0].Image != "registry.k8s.io/pause:3.9" {
		t.Errorf("deployment: replicas %d image %s; want the values file's 2 and pause:3.9", *d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Image)
	}
	if _, err := kube.CoreV1().Services("guestbook").Get(t.Context(), helmDeployment, metav1.GetOptions{}); err != nil {
		t.Errorf("the chart's Service after sync: %v", err)
	}

	t.Run("trace names the template", func(t *testing.T) {
		out := runGitops(t, c.Kubeconfig, r.Dir, "trace", "deployment/"+helmDeployment, "-n", "guestbook", "-o", "json").mustSucceed(t, "trace")
		var res trace.Result
		if err := json.Unmarshal([]byte(out.stdout), &res); err != nil {
			t.Fatalf("trace -o json: %v\n%s", err, out.stdout)
		}
		if res.Source.Name != "guestbook" || res.File != "helm-guestbook/templates/deployment.yaml" {
			t.Errorf("trace = source %q file %q; want guestbook and the chart's deployment template", res.Source.Name, res.File)
		}
		if res.Live == nil || res.Live.Differs {
			t.Errorf("live right after sync: %+v, want no difference", res.Live)
		}
	})

	t.Run("diff shows a values change", func(t *testing.T) {
		writeHelmValues(r, "4")
		rep := runDiff(t, c.Kubeconfig, r.Dir, helmEnvPath, "-o", "json")
		var got diff.Report
		if err := json.Unmarshal([]byte(rep.stdout), &got); err != nil {
			t.Fatalf("diff -o json: %v\nstdout %s\nstderr %s", err, rep.stdout, rep.stderr)
		}
		found := false
		for _, o := range got.Objects {
			if o.Key.Kind == "Deployment" && o.Key.Name == helmDeployment {
				found = o.Action == diff.Change
			}
		}
		if !found {
			t.Errorf("diff does not update the chart's Deployment:\n%s", rep.stdout)
		}
	})

	t.Run("a manual scale shows in trace", func(t *testing.T) {
		if _, err := kube.AppsV1().Deployments("guestbook").Patch(t.Context(), helmDeployment, types.MergePatchType,
			[]byte(`{"spec":{"replicas":7}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
			t.Fatal(err)
		}
		out := runGitops(t, c.Kubeconfig, r.Dir, "trace", "deployment/"+helmDeployment, "-n", "guestbook", "-o", "json").mustSucceed(t, "trace")
		var res trace.Result
		if err := json.Unmarshal([]byte(out.stdout), &res); err != nil {
			t.Fatal(err)
		}
		if res.Live == nil || !res.Live.Differs || !strings.Contains(strings.Join(res.Live.Fields, ","), "replicas") {
			t.Errorf("live after a manual scale: %+v", res.Live)
		}
	})
}
