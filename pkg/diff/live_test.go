package diff

import (
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestObjectErrorWithholdsSecretMessages(t *testing.T) {
	const plaintext = "hunter2"
	invalid := apierrors.NewInvalid(schema.GroupKind{Kind: "Secret"}, "db", field.ErrorList{
		field.Invalid(field.NewPath("data", "password"), plaintext, "bad value "+plaintext),
	})
	tests := []struct {
		name     string
		obj      string
		err      error
		wantText string
		wantLeak bool
	}{
		{"secret api error", "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: app}\n", invalid, "field data.password", false},
		{"secret other error", "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: app}\n", errors.New("boom " + plaintext), "message withheld", false},
		{"configmap keeps the message", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: app}\n", errors.New("boom " + plaintext), "ConfigMap app/c", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := objs(t, tc.obj)[0]
			err := objectError(&item{key: KeyOf(u), desired: u}, "dry-run", tc.err)
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q lacks %q", err, tc.wantText)
			}
			if strings.Contains(err.Error(), plaintext) != tc.wantLeak {
				t.Errorf("error %q: holds the value = %v, want %v", err, !tc.wantLeak, tc.wantLeak)
			}
		})
	}
}

func TestStamped(t *testing.T) {
	desired := objs(t, configMap("c", "1"))[0]
	live := objs(t, configMap("c", "1"))[0]
	live.SetLabels(map[string]string{"gitward.dev/source": "shop"})
	live.SetAnnotations(map[string]string{"gitward.dev/commit": strings.Repeat("a", 40), "gitward.dev/digest": "sha256:old"})
	newCommit := strings.Repeat("b", 40)
	tests := []struct {
		name       string
		o          LiveOptions
		wantCommit string
		wantSource string
	}{
		{"no source keeps the live contract", LiveOptions{}, strings.Repeat("a", 40), "shop"},
		{"source and a revision: content changed, commit moves", LiveOptions{Source: "shop", Commit: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}, newCommit, "shop"},
		{"source without a revision keeps the live commit", LiveOptions{Source: "shop"}, strings.Repeat("a", 40), "shop"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stamped(&item{key: KeyOf(desired), desired: desired, live: live}, &tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if c := got.GetAnnotations()["gitward.dev/commit"]; c != tc.wantCommit {
				t.Errorf("commit %q, want %q", c, tc.wantCommit)
			}
			if s := got.GetLabels()["gitward.dev/source"]; s != tc.wantSource {
				t.Errorf("source %q, want %q", s, tc.wantSource)
			}
			if desired.GetLabels() != nil {
				t.Error("stamped modified the desired object")
			}
		})
	}
}
