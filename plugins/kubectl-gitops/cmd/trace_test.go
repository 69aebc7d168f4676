package cmd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic/fake"

	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
)

// traceRepo is a repository whose source "shop" renders app/ into
// namespace shop: a Deployment and a generated ConfigMap.
func traceRepo(t *testing.T) (*gittest.Repo, string) {
	t.Helper()
	r := gittest.NewRepo(t)
	r.WriteFile("gitward.yaml", "apiVersion: gitward.dev/v1alpha1\nkind: Config\nenvironments:\n- {name: shop, path: app}\nsources:\n- {name: shop, branch: main, path: app}\n").
		WriteFile("app/kustomization.yaml", "namespace: shop\nresources: [deployment.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [a=1]\n").
		WriteFile("app/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: \"nginx:1.25\"}]}\n")
	return r, r.Commit("shop: web at two replicas")
}

// traceCluster holds the repository's objects as the agent applied them.
func traceCluster(t *testing.T, r *gittest.Repo, commit string) (*fake.FakeDynamicClient, meta.RESTMapper) {
	t.Helper()
	res, err := render.Dir(t.Context(), r.Dir, "app", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	objs := []runtime.Object{&unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "by-hand", "namespace": "shop"}}}}
	for _, u := range res.Objects {
		if err := provenance.Stamp(u, "shop", provenance.CommitID(commit)); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, u)
	}
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	return fake.NewSimpleDynamicClient(runtime.NewScheme(), objs...), m
}

// replicasDrift pretends kubectl-edit scaled the Deployment.
func replicasDrift(_ context.Context, _ []*unstructured.Unstructured, _ diff.LiveOptions) (*diff.Result, error) {
	return &diff.Result{Objects: []diff.ObjectDiff{{
		Fields:   []string{".spec.replicas"},
		Managers: []diff.Manager{{Name: "kubectl-edit", Operation: "Update", Fields: []string{".spec.replicas"}}},
		Diff:     "--- live/apps.v1.Deployment.shop.web\n+++ git/apps.v1.Deployment.shop.web\n@@ -6 +6 @@\n-  replicas: 5\n+  replicas: 2\n",
	}}}, nil
}

func noDrift(_ context.Context, _ []*unstructured.Unstructured, _ diff.LiveOptions) (*diff.Result, error) {
	return &diff.Result{Unchanged: 1}, nil
}

func TestTraceValidate(t *testing.T) {
	r, _ := traceRepo(t)
	tests := []struct {
		name    string
		args    []string
		mutate  func(o *TraceOptions)
		wantErr string
	}{
		{"ok", []string{"deployment/web"}, func(*TraceOptions) {}, ""},
		{"json", []string{"deployment/web"}, func(o *TraceOptions) { o.Output = "json" }, ""},
		{"yaml refused", []string{"deployment/web"}, func(o *TraceOptions) { o.Output = "yaml" }, `--output "yaml"`},
		{"no object", nil, func(*TraceOptions) {}, "KIND/NAME"},
		{"no repo", []string{"deployment/web"}, func(o *TraceOptions) { o.RepoDir = "" }, "--repo is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams, _, _, _ := genericiooptions.NewTestIOStreams()
			o := NewTraceOptions(nil, streams)
			o.RepoDir = r.Dir
			o.Dynamic, o.Mapper = traceCluster(t, r, r.Head())
			tt.mutate(o)
			if err := o.Complete(tt.args); err != nil {
				t.Fatal(err)
			}
			err := o.Validate()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestTraceComplete(t *testing.T) {
	r, _ := traceRepo(t)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	writeKubeconfig(t, kubeconfig)
	tests := []struct {
		name    string
		ns      string
		repo    string
		wantNS  string
		wantErr string
	}{
		{"namespace from the context", "", r.Dir, "from-context", ""},
		{"-n wins", "shop", r.Dir, "shop", ""},
		{"not a repository", "", t.TempDir(), "", "run it in a checkout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags := genericclioptions.NewConfigFlags(false)
			flags.KubeConfig = &kubeconfig
			if tt.ns != "" {
				flags.Namespace = &tt.ns
			}
			streams, _, _, _ := genericiooptions.NewTestIOStreams()
			o := NewTraceOptions(flags, streams)
			o.RepoDir = tt.repo
			err := o.Complete([]string{"deployment/web"})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Complete() = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Namespace != tt.wantNS || o.Dynamic == nil || o.Mapper == nil || o.Repo == nil {
				t.Errorf("namespace %q (want %q), clients %v %v, repo %v", o.Namespace, tt.wantNS, o.Dynamic, o.Mapper, o.Repo)
			}
		})
	}
}

func TestTraceGolden(t *testing.T) {
	r, commit := traceRepo(t)
	tests := []struct {
		name    string
		arg     string
		output  string
		live    func(context.Context, []*unstructured.Unstructured, diff.LiveOptions) (*diff.Result, error)
		noLive  bool
		wantErr string
	}{
		{name: "drifted", arg: "deployment/web", live: replicasDrift},
		{name: "drifted-json", arg: "deployment/web", output: "json", live: replicasDrift},
		{name: "generated", arg: "configmap/" + configMapName(t, r), live: noDrift},
		{name: "no-live", arg: "deployment/web", noLive: true},
		{name: "not-managed", arg: "configmap/by-hand", wantErr: "ConfigMap shop/by-hand: not managed by gitward"},
		{name: "missing", arg: "deployment/api", wantErr: `Deployment "api" in namespace shop: object not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams, _, out, _ := genericiooptions.NewTestIOStreams()
			o := NewTraceOptions(nil, streams)
			o.RepoDir, o.Namespace, o.Output, o.NoLive, o.Live = r.Dir, "shop", tt.output, tt.noLive, tt.live
			o.Dynamic, o.Mapper = traceCluster(t, r, commit)
			if err := o.Complete([]string{tt.arg}); err != nil {
				t.Fatal(err)
			}
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			err := o.Run(t.Context())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Run() = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "trace/"+tt.name+".golden", out.String())
		})
	}
}

// configMapName is the hashed name of the generated ConfigMap.
func configMapName(t *testing.T, r *gittest.Repo) string {
	t.Helper()
	res, err := render.Dir(t.Context(), r.Dir, "app", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Objects {
		if u.GetKind() == "ConfigMap" {
			return u.GetName()
		}
	}
	t.Fatal("no ConfigMap rendered")
	return ""
}
