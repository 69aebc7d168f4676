package cmd

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/localsync"
)

func TestSyncValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(o *SyncOptions)
		wantErr string
	}{
		{"defaults", func(*SyncOptions) {}, ""},
		{"dry run summary", func(o *SyncOptions) { o.DryRun, o.Summary = true, true }, ""},
		{"prune allow empty", func(o *SyncOptions) { o.Prune, o.AllowEmpty = true, true }, ""},
		{"summary without dry run", func(o *SyncOptions) { o.Summary = true }, "add --dry-run"},
		{"allow empty without prune", func(o *SyncOptions) { o.AllowEmpty = true }, "add --prune"},
		{"prune without namespace", func(o *SyncOptions) { o.Prune, o.AgentNamespace = true, "" }, "--agent-namespace"},
		{"no concurrency", func(o *SyncOptions) { o.Concurrency = 0 }, "--concurrency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams, _, _, _ := genericiooptions.NewTestIOStreams()
			o := NewSyncOptions(nil, streams)
			tt.mutate(o)
			err := o.Validate()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestSyncComplete(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	writeKubeconfig(t, kubeconfig)
	tests := []struct {
		name       string
		args       []string
		ns         string
		wantNS     string
		wantFolder string
	}{
		{"namespace from the context", nil, "", "from-context", ""},
		{"-n and a folder", []string{"overlays/prod"}, "shop", "shop", "overlays/prod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags := genericclioptions.NewConfigFlags(false)
			flags.KubeConfig = &kubeconfig
			if tt.ns != "" {
				flags.Namespace = &tt.ns
			}
			streams, _, _, _ := genericiooptions.NewTestIOStreams()
			o := NewSyncOptions(flags, streams)
			if err := o.Complete(tt.args); err != nil {
				t.Fatal(err)
			}
			if o.Namespace != tt.wantNS || o.Folder != tt.wantFolder || o.Dynamic == nil || o.Metadata == nil || o.Discovery == nil || o.Mapper == nil {
				t.Errorf("namespace %q folder %q (want %q %q), clients set: %v", o.Namespace, o.Folder, tt.wantNS, tt.wantFolder,
					o.Dynamic != nil && o.Metadata != nil && o.Discovery != nil && o.Mapper != nil)
			}
		})
	}
}

func TestSyncRefusesDirtyTree(t *testing.T) {
	r, _ := traceRepo(t)
	r.WriteFile("app/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 9}\n")
	t.Chdir(r.Dir)
	streams, _, out, _ := genericiooptions.NewTestIOStreams()
	o := NewSyncOptions(nil, streams)
	o.Source = "shop"
	o.Dynamic, o.Mapper = traceCluster(t, r, r.Head())
	if err := o.Complete(nil); err != nil {
		t.Fatal(err)
	}
	err := o.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "app/deployment.yaml") || !strings.Contains(err.Error(), "--allow-dirty") {
		t.Fatalf("Run() = %v, want a dirty-tree refusal naming the file", err)
	}
	if out.Len() != 0 {
		t.Errorf("wrote %q before refusing", out.String())
	}
}

func TestSyncReportText(t *testing.T) {
	web := apply.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web"}
	rep := &localsync.Report{Source: "shop", Commit: strings.Repeat("a", 40),
		Apply: &apply.Result{
			Applied:   []apply.Ref{{Kind: "ConfigMap", Namespace: "shop", Name: "settings"}},
			Unchanged: 3,
			Drifted:   []apply.Drift{{Ref: web, Managers: []string{"kubectl-edit"}, Corrected: true}},
			Failed: []*apply.ObjectError{{Ref: apply.Ref{Kind: "Service", Namespace: "shop", Name: "web"}, File: "app/service.yaml",
				Err: errors.New("spec.ports: Required value")}},
		},
		Prune: &inventory.PruneResult{
			Pruned: []apply.Ref{{Kind: "ConfigMap", Namespace: "shop", Name: "legacy"}},
			Kept:   []inventory.Kept{{Ref: apply.Ref{Kind: "Namespace", Name: "old"}, Reason: inventory.ReasonNoOptIn}},
		}}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "sync/report.golden", b.String())
}
