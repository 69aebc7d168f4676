package provenance

import (
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestStamp(t *testing.T) {
	u := deployment(t)
	u.SetAnnotations(map[string]string{"team": "shop"})
	before := mustDigest(t, u.Object)

	if err := Stamp(u, "production", sha1Commit); err != nil {
		t.Fatalf("Stamp: %v", err)
	}
	if got := u.GetLabels(); got[LabelSource] != "production" || got["app"] != "web" {
		t.Errorf("labels = %v", got)
	}
	a := u.GetAnnotations()
	if a[AnnotationCommit] != sha1Commit || a["team"] != "shop" || a[AnnotationDigest] != before {
		t.Errorf("annotations = %v, want commit %s and digest %s", a, sha1Commit, before)
	}
	if after := mustDigest(t, u.Object); after != before {
		t.Errorf("Digest(Stamp(r)) = %s, Digest(r) = %s", after, before)
	}

	// Restamping at another commit changes the commit, not the digest.
	if err := Stamp(u, "production", sha256Commit); err != nil {
		t.Fatal(err)
	}
	if a := u.GetAnnotations(); a[AnnotationCommit] != sha256Commit || a[AnnotationDigest] != before {
		t.Errorf("restamped annotations = %v", a)
	}
}

func TestStampWithoutLabelsOrAnnotations(t *testing.T) {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "shop"}}}
	want := mustDigest(t, u.Object)
	if err := Stamp(u, "prod", sha1Commit); err != nil {
		t.Fatal(err)
	}
	r, err := FromObject(u)
	if err != nil {
		t.Fatalf("FromObject: %v", err)
	}
	if r != (Record{Source: "prod", Commit: sha1Commit, Digest: want}) {
		t.Fatalf("FromObject = %+v", r)
	}
}

func TestStampErrors(t *testing.T) {
	tests := []struct {
		name    string
		source  string
		commit  CommitID
		target  error
		wantErr string
	}{
		{"empty source", "", sha1Commit, ErrInvalidSource, "stamp Deployment.apps shop/web: invalid source name: it is empty"},
		{"source not a label value", "prod/eu", sha1Commit, ErrInvalidSource, `invalid source name "prod/eu"`},
		{"source too long", strings.Repeat("a", 64), sha1Commit, ErrInvalidSource, "must be no more than 63"},
		{"short commit", "prod", "0123456", ErrInvalidCommit, `"0123456"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := deployment(t)
			before := mustDigest(t, u.Object)
			err := Stamp(u, tt.source, tt.commit)
			if !errors.Is(err, tt.target) {
				t.Fatalf("Stamp error %v does not wrap %v", err, tt.target)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Stamp error %q does not contain %q", err, tt.wantErr)
			}
			if _, ok := SourceOf(u); ok || len(u.GetAnnotations()) != 0 || mustDigest(t, u.Object) != before {
				t.Fatal("Stamp changed the object on error")
			}
		})
	}
	if err := Stamp(nil, "prod", sha1Commit); err == nil {
		t.Fatal("Stamp(nil) succeeded")
	}
}

func TestFromObject(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	obj := func(labels, annotations map[string]string) *unstructured.Unstructured {
		u := deployment(t)
		u.SetLabels(labels)
		u.SetAnnotations(annotations)
		return u
	}
	tests := []struct {
		name    string
		u       *unstructured.Unstructured
		want    Record
		targets []error
		wantErr []string
	}{
		{
			name: "complete",
			u:    obj(map[string]string{LabelSource: "prod"}, map[string]string{AnnotationCommit: sha1Commit, AnnotationDigest: digest}),
			want: Record{Source: "prod", Commit: sha1Commit, Digest: digest},
		},
		{
			name:    "nothing",
			u:       obj(nil, nil),
			targets: []error{ErrMissing},
			wantErr: []string{
				"Deployment.apps shop/web: missing provenance key: label gitward.dev/source is not set",
				"annotation gitward.dev/commit is not set",
				"annotation gitward.dev/digest is not set",
			},
		},
		{
			name:    "malformed commit, missing digest",
			u:       obj(map[string]string{LabelSource: "prod"}, map[string]string{AnnotationCommit: "HEAD"}),
			want:    Record{Source: "prod"},
			targets: []error{ErrMalformed, ErrMissing, ErrInvalidCommit},
			wantErr: []string{`Deployment.apps shop/web: malformed provenance key: annotation gitward.dev/commit: invalid commit id "HEAD"`, "gitward.dev/digest is not set"},
		},
		{
			name:    "malformed digest and source",
			u:       obj(map[string]string{LabelSource: ""}, map[string]string{AnnotationCommit: sha1Commit, AnnotationDigest: "md5:00"}),
			want:    Record{Commit: sha1Commit},
			targets: []error{ErrMalformed, ErrInvalidSource},
			wantErr: []string{`annotation gitward.dev/digest is "md5:00"`, "label gitward.dev/source: invalid source name: it is empty"},
		},
		{
			name:    "cluster-scoped core object",
			u:       &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "shop"}}},
			targets: []error{ErrMissing},
			wantErr: []string{"Namespace shop: missing"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromObject(tt.u)
			if got != tt.want {
				t.Errorf("FromObject = %+v, want %+v", got, tt.want)
			}
			if len(tt.targets) == 0 {
				if err != nil {
					t.Fatalf("FromObject error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("FromObject succeeded, want an error")
			}
			for _, target := range tt.targets {
				if !errors.Is(err, target) {
					t.Errorf("error %v does not wrap %v", err, target)
				}
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestKeyHelpers(t *testing.T) {
	u := deployment(t)
	if _, ok := SourceOf(u); ok {
		t.Error("SourceOf found a source on an unstamped object")
	}
	if PruneAllowed(u) {
		t.Error("PruneAllowed on an object without the annotation")
	}
	u.SetAnnotations(map[string]string{AnnotationPruneOptIn: PruneAllow})
	if !PruneAllowed(u) {
		t.Error("PruneAllowed = false with gitward.dev/prune: allow")
	}
	if err := Stamp(u, "prod", sha1Commit); err != nil {
		t.Fatal(err)
	}
	if s, ok := SourceOf(u); !ok || s != "prod" {
		t.Errorf("SourceOf = %q, %v", s, ok)
	}
	if got := SourceSelector("prod"); got != "gitward.dev/source=prod" {
		t.Errorf("SourceSelector = %q", got)
	}
	if SourceOf(nil); PruneAllowed(nil) {
		t.Error("PruneAllowed(nil)")
	}
}
