package check_test

import (
	"os"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/check"
	"github.com/gitward/gitward/pkg/expand"
)

// argoproj/argocd-example-apps leaves namespaces out on purpose: its
// Applications (the apps chart, an app of apps) name them. check takes
// them from the Applications' destination.namespace.
func TestArgoDestinationNamespace(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("../../testdata/upstream/argocd-example-apps")); err != nil {
		t.Fatal(err)
	}
	// The vendored apps chart lists every example; keep the vendored ones.
	values := `config:
  spec:
    destination: {server: https://kubernetes.default.svc}
    source: {repoURL: https://github.com/argoproj/argocd-example-apps, targetRevision: master}
applications:
  - name: guestbook
  - name: helm-guestbook
    tool: {helm: {releaseName: helm-guestbook}}
  - name: kustomize-guestbook
`
	if err := os.WriteFile(root+"/apps/values.yaml", []byte(values), 0o644); err != nil {
		t.Fatal(err)
	}
	x := &expand.Expander{RepoURLs: []string{"https://github.com/argoproj/argocd-example-apps"}}
	rep, err := check.Run(t.Context(), check.Options{Root: root, Expander: x})
	if err != nil {
		t.Fatal(err)
	}
	envs := map[string]bool{}
	for _, er := range rep.Environments {
		envs[er.Name] = true
		for _, f := range er.Findings {
			if f.Kind == check.KindMissingNamespace || f.Kind == check.KindRender {
				t.Errorf("%s: %s %s", er.Name, f.Kind, f.Message)
			}
		}
	}
	for _, want := range []string{"apps", "guestbook", "helm-guestbook", "kustomize-guestbook"} {
		if !envs[want] {
			t.Errorf("environment %s not checked (%v)", want, envs)
		}
	}
}

// flux2-multi-tenancy: infrastructure/ is reached through clusters/<env>'s
// Flux Kustomizations, so check sees the Kyverno policies there.
func TestFluxInfrastructureChecked(t *testing.T) {
	rep, err := check.Run(t.Context(), check.Options{Root: "../../testdata/upstream/flux2-multi-tenancy", Expander: &expand.Expander{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, er := range rep.Environments {
		found := false
		for _, f := range er.Files {
			if strings.HasPrefix(f, "infrastructure/kyverno-policies/") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no object from infrastructure/ checked (files %v)", er.Name, er.Files)
		}
	}
	if len(rep.Environments) != 2 {
		t.Errorf("environments %v", rep.Environments)
	}
}
