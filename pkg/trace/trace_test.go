package trace

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic/fake"

	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/provenance"
)

func TestTrace(t *testing.T) {
	f := newFixture(t)
	repo := f.open(t)
	live := f.live(t)
	dyn := fake.NewSimpleDynamicClient(runtime.NewScheme())
	differs := &diff.Result{Objects: []diff.ObjectDiff{{Fields: []string{".spec.replicas"},
		Managers: []diff.Manager{{Name: "kubectl-edit", Operation: "Update", Fields: []string{".spec.replicas"}}}, Diff: "-  replicas: 5\n+  replicas: 2\n"}}}

	tests := []struct {
		name      string
		obj       func() *unstructured.Unstructured
		path      string
		live      *diff.Result
		wantFile  string
		wantGen   string
		declared  bool
		differs   bool
		wantErrIs error
		wantErr   string
	}{
		{name: "deployment, live matches", obj: func() *unstructured.Unstructured { return live["Deployment"] },
			live: &diff.Result{}, wantFile: "app/deployment.yaml", declared: true},
		{name: "generated configmap", obj: func() *unstructured.Unstructured { return live["ConfigMap"] },
			live: &diff.Result{}, wantFile: "app/kustomization.yaml", wantGen: "ConfigMapGenerator", declared: true},
		{name: "live differs", obj: func() *unstructured.Unstructured { return live["Deployment"] },
			live: differs, wantFile: "app/deployment.yaml", declared: true, differs: true},
		{name: "renamed: not declared", obj: func() *unstructured.Unstructured {
			u := live["Deployment"].DeepCopy()
			u.SetName("old-web")
			return u
		}, declared: false},
		{name: "not managed", obj: func() *unstructured.Unstructured {
			u := live["Deployment"].DeepCopy()
			u.SetLabels(nil)
			return u
		}, wantErrIs: ErrNotManaged, wantErr: "Deployment.apps shop/web: not managed by gitward"},
		{name: "bad commit annotation", obj: func() *unstructured.Unstructured {
			u := live["Deployment"].DeepCopy()
			u.SetAnnotations(map[string]string{provenance.AnnotationCommit: "main"})
			return u
		}, wantErrIs: ErrNoCommit, wantErr: "gitward.dev/commit"},
		{name: "commit not local", obj: func() *unstructured.Unstructured {
			u := live["Deployment"].DeepCopy()
			u.SetAnnotations(map[string]string{provenance.AnnotationCommit: strings.Repeat("ab", 20)})
			return u
		}, wantErrIs: ErrCommitNotLocal, wantErr: "git fetch"},
		{name: "unknown source", obj: func() *unstructured.Unstructured {
			u := live["Deployment"].DeepCopy()
			u.SetLabels(map[string]string{provenance.LabelSource: "billing"})
			return u
		}, wantErrIs: ErrUnknownSource, wantErr: "--path"},
		{name: "unknown source with --path", path: "app", obj: func() *unstructured.Unstructured {
			u := live["Deployment"].DeepCopy()
			u.SetLabels(map[string]string{provenance.LabelSource: "billing"})
			return u
		}, live: &diff.Result{}, wantFile: "app/deployment.yaml", declared: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []*unstructured.Unstructured
			res, err := Trace(t.Context(), Options{Object: tt.obj(), Repo: repo, RepoDir: f.repo.Dir, Path: tt.path,
				Dynamic: dyn, Mapper: testMapper(), Live: stubLive(tt.live, &asked)})
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, tt.wantErrIs) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Trace() error = %v, want %v containing %q", err, tt.wantErrIs, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Commit.ID != f.commit || res.Commit.Subject != "shop: web at two replicas" || res.Commit.Author != "Gitward Test" {
				t.Errorf("commit = %+v", res.Commit)
			}
			if res.Declared != tt.declared || res.File != tt.wantFile || res.Generator != tt.wantGen {
				t.Errorf("declared %v file %q generator %q, want %v %q %q", res.Declared, res.File, res.Generator, tt.declared, tt.wantFile, tt.wantGen)
			}
			if !tt.declared {
				if res.Live != nil || len(res.Notes) == 0 {
					t.Errorf("undeclared object: live %+v notes %v", res.Live, res.Notes)
				}
				return
			}
			if res.Live == nil || res.Live.Differs != tt.differs {
				t.Fatalf("live = %+v, want differs %v", res.Live, tt.differs)
			}
			if len(asked) != 1 || asked[0].GetNamespace() != "shop" || asked[0].GetLabels()[provenance.LabelSource] != "" {
				t.Errorf("compared %v, want the unstamped declaration in shop", asked)
			}
		})
	}
}

func TestWriteText(t *testing.T) {
	f := newFixture(t)
	live := f.live(t)
	var asked []*unstructured.Unstructured
	res, err := Trace(t.Context(), Options{Object: live["Deployment"], Repo: f.open(t),
		Dynamic: fake.NewSimpleDynamicClient(runtime.NewScheme()), Mapper: testMapper(),
		Live: stubLive(&diff.Result{Objects: []diff.ObjectDiff{{Fields: []string{".spec.replicas"},
			Managers: []diff.Manager{{Name: "kubectl-edit", Operation: "Update", Fields: []string{".spec.replicas"}}},
			Diff:     "@@ diff @@\n"}}}, &asked)})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `Object:   Deployment.apps shop/web
Source:   shop (gitward.yaml, path app, branch main)
Commit:   ` + f.commit + `
Author:   Gitward Test <test@gitward.invalid>
Date:     Mon, 01 Jan 2024 00:01:00 +0000
Subject:  shop: web at two replicas
File:     app/deployment.yaml
Live:     differs from Git at ` + f.commit[:7] + `: .spec.replicas
Changed:  by kubectl-edit (Update): .spec.replicas

@@ diff @@
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
