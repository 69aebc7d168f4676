package check

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

type findingKey struct {
	env, kind, object, file string
}

func keys(fs []Finding) []findingKey {
	var out []findingKey
	for _, f := range fs {
		k := findingKey{env: f.Environment, kind: string(f.Kind), file: f.File}
		if f.Object != nil {
			k.object = f.Object.Kind + "/" + f.Object.Namespace + "/" + f.Object.Name
		}
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.env != b.env {
			return a.env < b.env
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.object < b.object
	})
	return out
}

func TestRun(t *testing.T) {
	root, err := filepath.Abs("testdata/repo")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Options{Root: root})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := keys(rep.All())
	want := []findingKey{
		{"prod", "missing-namespace", "ConfigMap//web-config", "base/config.yaml"},
		{"prod", "missing-namespace", "Deployment//web", "base/deployment.yaml"},
		{"prod", "plaintext-secret", "ConfigMap//web-config", "base/config.yaml"},
		{"prod", "plaintext-secret", "Secret/web/db", "overlays/prod/secret.yaml"},
		{"prod", "policy", "Deployment//web", "base/deployment.yaml"},
	}
	if len(got) != len(want) {
		t.Fatalf("findings:\n got %v\nwant %v\nall: %v", got, want, rep.All())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("finding %d = %v, want %v", i, got[i], want[i])
		}
	}
	if !rep.Failed() {
		t.Error("Failed() = false")
	}
	if len(rep.Environments) != 2 || rep.Environments[0].Name != "dev" {
		t.Errorf("environments = %+v", rep.Environments)
	}
	if n := len(rep.Policies); n != 1 {
		t.Errorf("policies = %v", rep.Policies)
	}
	reports, err := rep.PolicyReports(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[1].GetName() != "gitward-check-prod" || reports[1].GetAPIVersion() != "wgpolicyk8s.io/v1alpha2" {
		t.Errorf("policy reports: %v", reports)
	}
}

func TestRunSelect(t *testing.T) {
	root, _ := filepath.Abs("testdata/repo")
	rep, err := Run(context.Background(), Options{Root: root, Environments: []string{"dev"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() || len(rep.Environments) != 1 {
		t.Errorf("dev: failed=%v findings=%v", rep.Failed(), rep.All())
	}
	if _, err := Run(context.Background(), Options{Root: root, Environments: []string{"nope"}}); !errors.Is(err, ErrUnknownEnvironment) {
		t.Errorf("unknown environment: err = %v", err)
	}
}
