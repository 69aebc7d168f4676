package install

import (
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/manifests"
	"github.com/gitward/gitward/pkg/config"
)

var prod = config.Source{Name: "prod", Repo: "https://git.example.com/org/manifests.git", Branch: "main", Path: "overlays/prod"}

func find(objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	for _, u := range objs {
		if u.GetKind() == kind && u.GetName() == name {
			return u
		}
	}
	return nil
}

func TestRender(t *testing.T) {
	tests := []struct {
		name      string
		o         Options
		check     func(t *testing.T, r *Result, y string)
		wantErrIs error
		wantErr   string
	}{
		{name: "defaults", o: Options{Sources: []config.Source{prod}}, check: func(t *testing.T, r *Result, y string) {
			if !strings.Contains(y, "image: "+DefaultImage()) || !strings.Contains(y, "--self-bootstrap") {
				t.Errorf("default image or self-bootstrap missing")
			}
			if n := strings.Count(y, "kind: Namespace\n"); n != 1 {
				t.Errorf("%d Namespaces, want 1", n)
			}
			if find(r.Objects, "CustomResourceDefinition", "sourcestates.gitward.dev") == nil || find(r.Objects, "Deployment", "gitward-agent") == nil {
				t.Error("agent objects missing")
			}
			if strings.Contains(y, "git.example.com/org/manifests.git\n        - --") || strings.Contains(y, "--repo=") {
				t.Error("the agent keeps the base's --repo")
			}
		}},
		{name: "namespace moves every reference", o: Options{Namespace: "ops", Sources: []config.Source{prod}}, check: func(t *testing.T, r *Result, y string) {
			if strings.Contains(y, DefaultNamespace) {
				t.Errorf("%s still named:\n%s", DefaultNamespace, y)
			}
			vwc := find(r.Objects, "ValidatingWebhookConfiguration", "gitward-webhook")
			if !strings.Contains(vwcString(t, vwc), "ops") {
				t.Error("webhook selectors do not exclude ops")
			}
		}},
		{name: "namespace moves the policy floor's exclusion too", o: Options{Namespace: "ops", Admission: AdmissionBoth, Sources: []config.Source{prod}},
			check: func(t *testing.T, r *Result, y string) {
				if find(r.Objects, "ValidatingAdmissionPolicyBinding", "gitward-commit-annotation") == nil {
					t.Fatal("no policy binding")
				}
				if strings.Contains(y, DefaultNamespace) {
					t.Errorf("%s still named:\n%s", DefaultNamespace, y)
				}
			}},
		{name: "image with digest", o: Options{Image: "reg.example/gw@sha256:" + strings.Repeat("a", 64), Sources: []config.Source{prod}},
			check: func(t *testing.T, r *Result, y string) {
				if n := strings.Count(y, "image: reg.example/gw@sha256:"); n != 2 {
					t.Errorf("%d images pinned by digest, want 2", n)
				}
			}},
		{name: "cert-manager", o: Options{CertManager: true, Sources: []config.Source{prod}}, check: func(t *testing.T, r *Result, y string) {
			if find(r.Objects, "Certificate", "gitward-webhook") == nil || find(r.Objects, "Issuer", "gitward-webhook-selfsigned") == nil {
				t.Error("cert-manager objects missing")
			}
			vwc := find(r.Objects, "ValidatingWebhookConfiguration", "gitward-webhook")
			if vwc.GetAnnotations()["cert-manager.io/inject-ca-from"] != "gitward-system/gitward-webhook" {
				t.Errorf("annotations %v", vwc.GetAnnotations())
			}
			if strings.Contains(y, "--self-bootstrap") || !strings.Contains(y, "--cert-dir=/etc/gitward/tls") {
				t.Error("webhook args still self-bootstrap")
			}
		}},
		{name: "gitward.yaml carries the sources", o: Options{Sources: []config.Source{prod, {Name: "dev", Repo: "git@host:org/m.git", Branch: "dev", Path: "overlays/dev"}}},
			check: func(t *testing.T, r *Result, y string) {
				for _, cm := range r.Objects {
					if cm.GetKind() != "ConfigMap" {
						continue
					}
					data, _, _ := unstructured.NestedString(cm.Object, "data", "gitward.yaml")
					cfg, err := config.Parse([]byte(data), cm.GetName())
					if err != nil {
						t.Fatal(err)
					}
					if len(cfg.Sources) != 2 || cfg.Sources[1].Repo != "git@host:org/m.git" {
						t.Errorf("%s: sources %+v", cm.GetName(), cfg.Sources)
					}
				}
			}},
		{name: "policy only", o: Options{Admission: AdmissionPolicy, Sources: []config.Source{prod}}, check: func(t *testing.T, r *Result, y string) {
			if find(r.Objects, "Deployment", "gitward-webhook") != nil || find(r.Objects, "ValidatingWebhookConfiguration", "gitward-webhook") != nil {
				t.Error("admission policy installs the webhook")
			}
			if find(r.Objects, "ValidatingAdmissionPolicy", "gitward-commit-annotation") == nil ||
				find(r.Objects, "ValidatingAdmissionPolicyBinding", "gitward-commit-annotation") == nil {
				t.Error("admission policy lacks the policy or its binding")
			}
			if find(r.Objects, "Deployment", "gitward-agent") == nil {
				t.Error("admission policy lacks the agent")
			}
		}},
		{name: "both", o: Options{Admission: AdmissionBoth, Sources: []config.Source{prod}}, check: func(t *testing.T, r *Result, y string) {
			if find(r.Objects, "ValidatingWebhookConfiguration", "gitward-webhook") == nil || find(r.Objects, "ValidatingAdmissionPolicy", "gitward-commit-annotation") == nil {
				t.Error("both lacks the webhook or the policy")
			}
		}},
		{name: "policy only has no certificate", o: Options{Admission: AdmissionPolicy, CertManager: true, Sources: []config.Source{prod}}, wantErr: "installs no webhook"},
		{name: "bad admission", o: Options{Admission: "opa", Sources: []config.Source{prod}}, wantErr: `--admission "opa": want webhook`},
		{name: "no sources", o: Options{}, wantErrIs: ErrNoSources},
		{name: "source without repo", o: Options{Sources: []config.Source{{Name: "x", Branch: "main", Path: "a"}}}, wantErrIs: ErrInvalidSource, wantErr: "origin remote"},
		{name: "bad image", o: Options{Image: "gitward", Sources: []config.Source{prod}}, wantErr: "REPOSITORY:TAG"},
		{name: "bad mode", o: Options{WebhookMode: "audit", Sources: []config.Source{prod}}, wantErr: "want enforce"},
		{name: "bad source name", o: Options{Sources: []config.Source{{Name: "Bad_Name", Repo: "https://h/r.git", Branch: "main", Path: "a"}}}, wantErr: "sources[0].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Render(t.Context(), manifests.FS, tt.o)
			if tt.wantErr != "" || tt.wantErrIs != nil {
				if err == nil || tt.wantErrIs != nil && !errors.Is(err, tt.wantErrIs) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Render() error = %v, want %v containing %q", err, tt.wantErrIs, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			y, err := r.YAML()
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r, string(y))
		})
	}
}

func vwcString(t *testing.T, u *unstructured.Unstructured) string {
	t.Helper()
	b, err := u.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseSource(t *testing.T) {
	tests := []struct {
		in      string
		want    config.Source
		wantErr bool
	}{
		{"prod=https://git.example.com/org/m.git@main:overlays/prod", config.Source{Name: "prod", Repo: "https://git.example.com/org/m.git", Branch: "main", Path: "overlays/prod"}, false},
		{"prod=git@github.com:org/m.git@release:clusters/prod", config.Source{Name: "prod", Repo: "git@github.com:org/m.git", Branch: "release", Path: "clusters/prod"}, false},
		{"prod=ssh://git@host:22/org/m.git@main:.", config.Source{Name: "prod", Repo: "ssh://git@host:22/org/m.git", Branch: "main", Path: "."}, false},
		{"prod", config.Source{}, true},
		{"=repo@main:path", config.Source{}, true},
		{"prod=https://host/m.git:overlays/prod", config.Source{}, true},
		{"prod=https://host/m.git@main", config.Source{}, true},
		{"prod=https://host/m.git@:path", config.Source{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSource(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseSource(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidSource) {
				t.Errorf("error %v does not wrap ErrInvalidSource", err)
			}
		})
	}
}
