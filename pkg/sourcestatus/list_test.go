package sourcestatus

import (
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/gitward/gitward/pkg/inventory"
)

const (
	commitA = "1111111111111111111111111111111111111111"
	commitB = "2222222222222222222222222222222222222222"
)

// sourceState builds a SourceState with the given status.
func sourceState(ns, name string, status map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gitward.dev/v1alpha1",
		"kind":       "SourceState",
		"metadata":   map[string]any{"name": name, "namespace": ns},
		"spec":       map[string]any{"source": name},
	}}
	if status != nil {
		u.Object["status"] = status
	}
	return u
}

func ready(status, reason, msg string) []any {
	return []any{map[string]any{"type": "Ready", "status": status, "reason": reason, "message": msg,
		"lastTransitionTime": "2024-01-01T00:00:00Z"}}
}

func newClient(objs ...runtime.Object) *fake.FakeDynamicClient {
	return fake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{inventory.GVR: "SourceStateList"}, objs...)
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name      string
		status    map[string]any
		wantSync  string
		wantReady string
	}{
		{"no status yet", nil, SyncUnknown, "Unknown"},
		{"never applied", map[string]any{"head": commitA}, SyncNever, "Unknown"},
		{"in sync", map[string]any{"head": commitA, "lastAppliedCommit": commitA,
			"conditions": ready("True", "Synced", "synced")}, SyncInSync, "True"},
		{"behind", map[string]any{"head": commitB, "lastAppliedCommit": commitA, "drifted": int64(2),
			"conditions": ready("False", "ApplyFailed", "boom")}, SyncBehind, "False"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Decode(sourceState("gitward-system", "shop", tt.status))
			if err != nil {
				t.Fatal(err)
			}
			if s.Sync != tt.wantSync || s.Ready != tt.wantReady || s.Name != "shop" {
				t.Errorf("got sync %q ready %q name %q, want %q %q shop", s.Sync, s.Ready, s.Name, tt.wantSync, tt.wantReady)
			}
		})
	}
}

func TestList(t *testing.T) {
	c := newClient(
		sourceState("gitward-system", "web", map[string]any{"head": commitA}),
		sourceState("gitward-system", "api", map[string]any{"head": commitA}),
		sourceState("other", "db", nil),
	)
	tests := []struct {
		ns   string
		want string
	}{
		{"gitward-system", "gitward-system/api gitward-system/web"},
		{"", "gitward-system/api gitward-system/web other/db"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run("ns="+tt.ns, func(t *testing.T) {
			got, err := List(t.Context(), c, tt.ns)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range got {
				names = append(names, s.Namespace+"/"+s.Name)
			}
			if strings.Join(names, " ") != tt.want {
				t.Errorf("got %v, want %s", names, tt.want)
			}
		})
	}
}

func TestListNotInstalled(t *testing.T) {
	c := newClient()
	c.PrependReactor("list", "sourcestates", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(inventory.GVR.GroupResource(), "")
	})
	_, err := List(t.Context(), c, "gitward-system")
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("got %v, want ErrNotInstalled", err)
	}
	if !strings.Contains(err.Error(), "kubectl gitops install") {
		t.Errorf("error does not say how to install: %v", err)
	}
}
