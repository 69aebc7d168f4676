package promote

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	metadatafake "k8s.io/client-go/metadata/fake"

	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
)

// stamped is the metadata pkg/apply would leave on the object of kind and
// name that staging renders at commit, stamped with that commit.
func stamped(t *testing.T, r *gittest.Repo, commit, kind, name string) *metav1.PartialObjectMetadata {
	t.Helper()
	repo, err := gitrepo.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := repo.TreeFS(plumbing.NewHash(commit))
	if err != nil {
		t.Fatal(err)
	}
	res, err := render.FS(context.Background(), tree, "overlays/staging", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Objects {
		if u.GetKind() == kind && u.GetName() == name {
			if err := provenance.Stamp(u, "staging", provenance.CommitID(commit)); err != nil {
				t.Fatal(err)
			}
			return &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: u.GetAPIVersion(), Kind: kind},
				ObjectMeta: metav1.ObjectMeta{Namespace: u.GetNamespace(), Name: name, Labels: u.GetLabels(), Annotations: u.GetAnnotations()}}
		}
	}
	t.Fatalf("staging at %s renders no %s %s", commit, kind, name)
	return nil
}

// rolloutReader is a LiveReader over a fake cluster serving Deployments and
// ConfigMaps.
func rolloutReader(log *bytes.Buffer, objs ...runtime.Object) *LiveReader {
	l := liveReader(objs...)
	kinds := []schema.GroupVersionKind{{Group: "apps", Version: "v1", Kind: "Deployment"}, {Version: "v1", Kind: "ConfigMap"}}
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{kinds[0].GroupVersion(), kinds[1].GroupVersion()})
	scheme := metadatafake.NewTestScheme()
	for _, gvk := range kinds {
		mapper.Add(gvk, meta.RESTScopeNamespace)
		scheme.AddKnownTypeWithName(gvk, &metav1.PartialObjectMetadata{})
		scheme.AddKnownTypeWithName(gvk.GroupVersion().WithKind(gvk.Kind+"List"), &metav1.PartialObjectMetadataList{})
	}
	l.Mapper, l.Metadata = mapper, metadatafake.NewSimpleMetadataClient(scheme, objs...)
	l.Log = log
	return l
}

// TestLiveRollout: objects at an older commit count as running the newest
// only when the newest renders them the same (their digest did not change).
func TestLiveRollout(t *testing.T) {
	r := overlaysRepo(t, map[string]string{"dev": "1", "staging": "1.1.0", "production": "1.0.0"})
	r.WriteFile("base/kustomization.yaml", "resources:\n- deployment.yaml\n- settings.yaml\n").
		WriteFile("base/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {level: info}\n")
	older := r.Commit("settings")
	kust := r.Git("show", "HEAD:overlays/staging/kustomization.yaml") + "\n"
	r.WriteFile("overlays/staging/kustomization.yaml", strings.Replace(kust, "1.1.0", "1.2.0", 1))
	newer := r.Commit("staging: 1.2.0")
	ctx := context.Background()

	leftover := liveDeployment("staging", "gone", "staging", older)
	leftover.Annotations[provenance.AnnotationDigest] = "sha256:" + strings.Repeat("0", 64)
	for _, tt := range []struct {
		name    string
		objs    []runtime.Object
		want    string // the commit promoted; "" for an error
		message []string
	}{
		{"settled", []runtime.Object{stamped(t, r, newer, "Deployment", "api"), stamped(t, r, older, "ConfigMap", "settings")},
			newer, []string{"runs staging@" + newer[:7], "2 objects", "ConfigMap staging/settings unchanged since " + older[:7]}},
		{"midway", []runtime.Object{stamped(t, r, newer, "ConfigMap", "settings"), stamped(t, r, older, "Deployment", "api")},
			"", []string{"midway through rolling out staging@" + newer[:7], "Deployment staging/api (at " + older[:7] + ")", "context test"}},
		{"left for pruning", []runtime.Object{stamped(t, r, newer, "Deployment", "api"), leftover},
			newer, []string{"Deployment staging/gone no longer declared at " + newer[:7]}},
		{"one commit", []runtime.Object{stamped(t, r, older, "Deployment", "api"), stamped(t, r, older, "ConfigMap", "settings")},
			older, []string{"runs staging@" + older[:7] + ": 2 objects of source staging"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			p, err := Prepare(ctx, Options{Dir: r.Dir, From: "staging", To: "production", Git: runner(), Live: rolloutReader(&log, tt.objs...)})
			got := log.String()
			if tt.want == "" {
				if !errors.Is(err, ErrLive) {
					t.Fatalf("err = %v, want ErrLive", err)
				}
				got = err.Error()
			} else if err != nil {
				t.Fatalf("Prepare: %v", err)
			} else if p.FromCommit != tt.want {
				t.Errorf("FromCommit = %s, want %s", p.FromCommit, tt.want)
			}
			for _, m := range tt.message {
				if !strings.Contains(got, m) {
					t.Errorf("message lacks %q:\n%s", m, got)
				}
			}
		})
	}
}
