package cmd

import (
	"errors"
	"github.com/gitward/gitward/pkg/cli"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/sourcestatus"
)

// statusFixture is two sources in gitward-system (one synced, one behind
// with a drifted and a failed object) and one in another namespace.
const statusFixture = `apiVersion: gitward.dev/v1alpha1
kind: SourceState
metadata: {name: production, namespace: gitward-system}
spec: {source: production}
status:
  repo: https://git.example.com/org/manifests.git
  branch: main
  path: overlays/production
  mode: enforce
  head: "2222222222222222222222222222222222222222"
  lastAppliedCommit: "1111111111111111111111111111111111111111"
  lastAttemptedCommit: "2222222222222222222222222222222222222222"
  applied: 1
  failed: 1
  drifted: 1
  managed: 12
  lastError: 'apply: Deployment.apps shop/api (declared in apps/api/deployment.yaml): the cluster does not serve this kind'
  failedObjects: ['Deployment.apps shop/api (declared in apps/api/deployment.yaml): the cluster does not serve this kind']
  driftedObjects:
  - ref: {group: apps, kind: Deployment, namespace: shop, name: web}
    managers: [kubectl-edit]
    fields: [.spec.replicas]
    corrected: true
  conditions:
  - {type: Ready, status: "False", reason: ApplyFailed, message: 1 object failed, lastTransitionTime: "2024-01-01T00:00:00Z"}
---
apiVersion: gitward.dev/v1alpha1
kind: SourceState
metadata: {name: staging, namespace: gitward-system}
spec: {source: staging}
status:
  branch: main
  head: "3333333333333333333333333333333333333333"
  lastAppliedCommit: "3333333333333333333333333333333333333333"
  managed: 9
  conditions:
  - {type: Ready, status: "True", reason: Synced, message: synced at 3333333333333333333333333333333333333333, lastTransitionTime: "2024-01-01T00:00:00Z"}
---
apiVersion: gitward.dev/v1alpha1
kind: SourceState
metadata: {name: edge, namespace: team-a}
spec: {source: edge, branch: release}
`

func statusClient(t *testing.T) *fake.FakeDynamicClient {
	t.Helper()
	var objs []runtime.Object
	for _, doc := range strings.Split(statusFixture, "\n---\n") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, u)
	}
	return fake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{inventory.GVR: "SourceStateList"}, objs...)
}

func TestStatusValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(o *StatusOptions)
		wantErr string
	}{
		{"defaults", func(*StatusOptions) {}, ""},
		{"json", func(o *StatusOptions) { o.Output = "json" }, ""},
		{"yaml refused", func(o *StatusOptions) { o.Output = "yaml" }, `--output "yaml"`},
		{"empty namespace", func(o *StatusOptions) { o.AgentNamespace = "" }, "--agent-namespace is empty"},
		{"empty namespace with -A", func(o *StatusOptions) { o.AgentNamespace, o.AllNamespaces = "", true }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams, _, _, _ := genericiooptions.NewTestIOStreams()
			o := NewStatusOptions(nil, streams)
			o.Dynamic = statusClient(t)
			tt.mutate(o)
			if err := o.Complete(nil); err != nil {
				t.Fatal(err)
			}
			err := o.Validate()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestStatusCompleteNeedsConfig(t *testing.T) {
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	if err := NewStatusOptions(nil, streams).Complete(nil); err == nil {
		t.Fatal("Complete without ConfigFlags or client succeeded")
	}
}

func TestStatusGolden(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		mutate func(o *StatusOptions)
	}{
		{"table", nil, func(*StatusOptions) {}},
		{"all-namespaces", nil, func(o *StatusOptions) { o.AllNamespaces = true }},
		{"one-source-json", []string{"production"}, func(o *StatusOptions) { o.Output = "json" }},
		{"empty", nil, func(o *StatusOptions) { o.AgentNamespace = "nowhere" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams, _, out, errOut := genericiooptions.NewTestIOStreams()
			o := NewStatusOptions(nil, streams)
			o.Dynamic = statusClient(t)
			tt.mutate(o)
			if err := o.Complete(tt.args); err != nil {
				t.Fatal(err)
			}
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			// production's objects failed: exit 1, like kubectl rollout status.
			err := o.Run(t.Context())
			var exit *cli.ExitError
			if err != nil && (!errors.As(err, &exit) || exit.Code != 1 || !strings.Contains(err.Error(), "production")) {
				t.Fatal(err)
			}
			if tt.name != "empty" && err == nil {
				t.Errorf("Run() = nil, want exit 1: a source failed to apply")
			}
			golden(t, "status/"+tt.name+".golden", out.String()+stderrSection(errOut.String()))
		})
	}
}

// stderrSection appends stderr to a golden output under a marker.
func stderrSection(s string) string {
	if s == "" {
		return ""
	}
	return "--- stderr\n" + s
}

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		reactor bool
		wantIs  error
		wantErr string
	}{
		{"unknown source", []string{"nope"}, false, nil, `source "nope" has no SourceState in namespace gitward-system`},
		{"CRD not installed", nil, true, sourcestatus.ErrNotInstalled, "kubectl gitops install"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams, _, _, _ := genericiooptions.NewTestIOStreams()
			o := NewStatusOptions(nil, streams)
			c := statusClient(t)
			if tt.reactor {
				c.PrependReactor("list", "sourcestates", func(k8stesting.Action) (bool, runtime.Object, error) {
					return true, nil, apierrors.NewNotFound(inventory.GVR.GroupResource(), "")
				})
			}
			o.Dynamic = c
			if err := o.Complete(tt.args); err != nil {
				t.Fatal(err)
			}
			err := o.Run(t.Context())
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Run() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}
