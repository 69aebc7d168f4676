package promote

import (
	"context"
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	metadatafake "k8s.io/client-go/metadata/fake"

	"github.com/gitward/gitward/pkg/provenance"
)

// liveDeployment is the metadata of a Deployment the agent applied.
func liveDeployment(ns, name, source, commit string) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{
		TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
			Labels:      map[string]string{provenance.LabelSource: source},
			Annotations: map[string]string{provenance.AnnotationCommit: commit}},
	}
}

func liveReader(objs ...runtime.Object) *LiveReader {
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{{Group: "apps", Version: "v1"}})
	mapper.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, meta.RESTScopeNamespace)
	scheme := metadatafake.NewTestScheme()
	scheme.AddKnownTypeWithName(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, &metav1.PartialObjectMetadata{})
	scheme.AddKnownTypeWithName(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DeploymentList"}, &metav1.PartialObjectMetadataList{})
	return &LiveReader{Metadata: metadatafake.NewSimpleMetadataClient(scheme, objs...), Mapper: mapper, Context: "test"}
}

func TestPromoteRequireLive(t *testing.T) {
	r := overlaysRepo(t, map[string]string{"dev": "1", "staging": "1.1.0", "production": "1.0.0"})
	live := r.Head()
	kust := r.Git("show", "HEAD:overlays/staging/kustomization.yaml") + "\n"
	r.WriteFile("overlays/staging/kustomization.yaml", strings.Replace(kust, "1.1.0", "1.2.0", 1))
	r.Commit("staging: 1.2.0, not yet synced")
	ctx := context.Background()

	p, err := Prepare(ctx, Options{Dir: r.Dir, From: "staging", To: "production", Git: runner(),
		Live: liveReader(liveDeployment("staging", "api", "staging", live), liveDeployment("other", "x", "dev", r.Head()))})
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if p.FromCommit != live || !p.Live {
		t.Errorf("FromCommit = %s, want the live %s", p.FromCommit, live)
	}
	if got := p.Plan.Moves[0].After; got != "ghcr.io/acme/api:1.1.0" {
		t.Errorf("promoted %s, want what runs (1.1.0)", got)
	}
	if !strings.HasSuffix(p.Message(), "Promoted-From: staging@"+live+"\n") {
		t.Errorf("message:\n%s", p.Message())
	}

	// A commit that is not in HEAD's history: applied from a feature branch.
	branch := strings.TrimSpace(r.Git("rev-parse", "--abbrev-ref", "HEAD"))
	r.Git("checkout", "-q", "-b", "feature", live)
	r.WriteFile("overlays/staging/kustomization.yaml", strings.Replace(kust, "1.1.0", "9.9.9", 1))
	r.Commit("staging: an unreviewed experiment")
	feature := r.Head()
	r.Git("checkout", "-q", branch)

	for _, tt := range []struct {
		name string
		objs []runtime.Object
		has  string
	}{
		{"another branch", []runtime.Object{liveDeployment("staging", "api", "staging", feature)}, "not in the history of HEAD"},
		{"nothing runs", nil, "no object of source staging in context test carries gitward.dev/commit"},
		{"unknown commit", []runtime.Object{liveDeployment("staging", "api", "staging", strings.Repeat("ab", 20))}, "which this checkout does not have; git fetch"},
		{"malformed", []runtime.Object{liveDeployment("staging", "api", "staging", "HEAD")}, "Deployment staging/api"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Prepare(ctx, Options{Dir: r.Dir, From: "staging", To: "production", Git: runner(), Live: liveReader(tt.objs...)})
			if !errors.Is(err, ErrLive) || !strings.Contains(err.Error(), tt.has) {
				t.Fatalf("err = %v, want ErrLive containing %q", err, tt.has)
			}
		})
	}
}
