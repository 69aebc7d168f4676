package cmd

import (
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

func TestBuildPrintsStampedObjects(t *testing.T) {
	r := gittest.NewRepo(t)
	r.WriteFile("gitward.yaml", "apiVersion: gitward.dev/v1alpha1\nkind: Config\nenvironments:\n- {name: shop, path: app}\nsources:\n- {name: shop, branch: main, path: app}\n").
		WriteFile("app/kustomization.yaml", "namespace: shop\nresources: [a.yaml, b.yaml]\n").
		WriteFile("app/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: \"1\"}\n").
		WriteFile("app/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
	head := r.Commit("two settings")
	t.Chdir(r.Dir)
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	root := NewCmdGitops(streams)
	root.SetArgs([]string{"build", "--source", "shop"})
	if code := cli.Execute(root, streams); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{"name: a", "name: b", "namespace: shop", "gitward.dev/source: shop", "gitward.dev/commit: " + head, "gitward.dev/digest: ", "\n---\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("build output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "config.kubernetes.io") {
		t.Errorf("build output carries kustomize's bookkeeping:\n%s", got)
	}
}
