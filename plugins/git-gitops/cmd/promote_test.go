package cmd

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

const sealed = `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: db
spec:
  encryptedData:
    password: AgBy8hCi8AAAAAAAAAAAAAAA
  template:
    metadata:
      name: db
`

func TestPromoteGolden(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *gittest.Repo)
		dir   string // folder to run in, relative to the repository
		args  []string
		check func(t *testing.T, r *gittest.Repo)
	}{
		{name: "dry-run", dir: "overlays/staging", args: []string{"promote", "staging", "production", "--dry-run"},
			check: func(t *testing.T, r *gittest.Repo) { unchanged(t, r, 1) }},
		{name: "commit", args: []string{"promote", "staging", "production"},
			check: func(t *testing.T, r *gittest.Repo) {
				if got := r.Git("log", "-1", "--format=%an <%ae>%n%B"); !strings.Contains(got, "Grace Hopper <grace@example.invalid>") || !strings.Contains(got, "Promoted-From: staging@") {
					t.Errorf("commit:\n%s", got)
				}
			}},
		{name: "branch-push", setup: func(r *gittest.Repo) { r.Git("remote", "add", "origin", r.Bare()) },
			args: []string{"promote", "dev", "staging", "--branch", "promote/staging", "--push"},
			check: func(t *testing.T, r *gittest.Repo) {
				unchanged(t, r, 1)
				if r.Git("rev-parse", "promote/staging") != r.Git("ls-remote", "origin", "refs/heads/promote/staging")[:40] {
					t.Error("branch not pushed")
				}
			}},
		{name: "refuse-dirty", setup: func(r *gittest.Repo) { r.WriteFile("notes.txt", "wip\n") },
			args: []string{"promote", "staging", "production"}, check: func(t *testing.T, r *gittest.Repo) { unchanged(t, r, 1) }},
		{name: "refuse-nothing", setup: func(r *gittest.Repo) {
			r.WriteFile("overlays/staging/kustomization.yaml", "namespace: staging\nresources:\n- ../../base\nimages:\n- name: ghcr.io/acme/api\n  newTag: \"1.2.0\"\n")
			r.Commit("staging 1.2.0")
		}, args: []string{"promote", "dev", "staging", "--dry-run"}},
		{name: "refuse-unknown", args: []string{"promote", "staging", "prod"}},
		{name: "refuse-check", setup: func(r *gittest.Repo) {
			r.WriteFile("overlays/production/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: hunter2}\n").
				WriteFile("overlays/production/kustomization.yaml", "namespace: production\nresources:\n- ../../base\n- secret.yaml\n")
			r.Commit("plaintext secret")
		}, args: []string{"promote", "staging", "production"}, check: func(t *testing.T, r *gittest.Repo) { unchanged(t, r, 2) }},
		{name: "refuse-reseal", setup: func(r *gittest.Repo) {
			r.WriteFile("gitward.yaml", "apiVersion: gitward.dev/v1alpha1\nkind: Config\npromotion:\n  files: [sealed.yaml]\n")
			for _, env := range []string{"staging", "production"} {
				r.WriteFile("overlays/"+env+"/kustomization.yaml", "namespace: "+env+"\nresources:\n- ../../base\n- sealed.yaml\nimages:\n- name: ghcr.io/acme/api\n  newTag: \"1.1.0\"\n")
			}
			r.WriteFile("overlays/staging/sealed.yaml", sealed).
				WriteFile("overlays/production/sealed.yaml", strings.Replace(sealed, "AgBy8hCi8", "AgProd0000", 1))
			r.Commit("sealed secrets")
			r.WriteFile("overlays/staging/sealed.yaml", strings.Replace(sealed, "AgBy8hCi8", "AgNew11111", 1))
			r.Commit("staging: new password")
		}, args: []string{"promote", "staging", "production"}, check: func(t *testing.T, r *gittest.Repo) { unchanged(t, r, 3) }},
		{name: "flux", setup: flux, args: []string{"promote", "staging", "production", "--dry-run"}},
		{name: "refuse-policy", setup: func(r *gittest.Repo) {
			r.WriteFile("policies/disallow-latest.yaml", gittest.LayoutPolicy).
				WriteFile("overlays/dev/kustomization.yaml", gittest.LayoutOverlay("dev", "latest"))
			r.Commit("policy; dev runs latest")
		}, args: []string{"promote", "dev", "staging"}, check: func(t *testing.T, r *gittest.Repo) { unchanged(t, r, 2) }},
		{name: "refuse-configmap-secret", setup: func(r *gittest.Repo) {
			r.WriteFile("gitward.yaml", "apiVersion: gitward.dev/v1alpha1\nkind: Config\npromotion:\n  files: [settings.yaml]\n")
			for env, data := range map[string]string{"staging": "{DB_PASSWORD: hunter2xyz}", "production": "{mode: prod}"} {
				r.WriteFile("overlays/"+env+"/kustomization.yaml", "namespace: "+env+"\nresources:\n- ../../base\n- settings.yaml\n").
					WriteFile("overlays/"+env+"/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: "+data+"\n")
			}
			r.Commit("settings")
		}, args: []string{"promote", "staging", "production"}, check: func(t *testing.T, r *gittest.Repo) { unchanged(t, r, 2) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gitRepo(t)
			overlays(r, "1.2.0", "1.1.0", "1.0.0")
			r.Commit("layout")
			if tt.setup != nil {
				tt.setup(r)
			}
			golden(t, r, "promote/"+tt.name, run(t, filepath.Join(r.Dir, tt.dir), tt.args...))
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// unchanged checks that the history has n commits and the checkout is as
// committed (untracked files aside).
func unchanged(t *testing.T, r *gittest.Repo, n int) {
	t.Helper()
	if got := r.Git("rev-list", "--count", "HEAD"); got != string(rune('0'+n)) {
		t.Errorf("HEAD has %s commits, want %d", got, n)
	}
	if got := r.Git("status", "--porcelain", "--untracked-files=no"); got != "" {
		t.Errorf("status: %q", got)
	}
	if got := r.Git("rev-parse", "--abbrev-ref", "HEAD"); got != "main" {
		t.Errorf("on %s, want main", got)
	}
}

// flux replaces the layout with apps/base plus apps/staging and
// apps/production patching a HelmRelease.
func flux(r *gittest.Repo) {
	r.Remove("overlays").Remove("base")
	r.WriteFile("gitward.yaml", "apiVersion: gitward.dev/v1alpha1\nkind: Config\npromotion:\n  images: false\n  yamlPaths:\n  - {file: podinfo-values.yaml, path: spec.chart.spec.version}\n").
		WriteFile("apps/base/podinfo/kustomization.yaml", "resources:\n- release.yaml\n").
		WriteFile("apps/base/podinfo/release.yaml", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n  namespace: podinfo\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: podinfo\n      version: \"6.0.0\"\n      sourceRef: {kind: HelmRepository, name: podinfo, namespace: flux-system}\n")
	for env, v := range map[string]string{"staging": "6.6.1", "production": "6.5.0"} {
		r.WriteFile("apps/"+env+"/kustomization.yaml", "resources:\n- ../base/podinfo\npatches:\n- path: podinfo-values.yaml\n").
			WriteFile("apps/"+env+"/podinfo-values.yaml", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n  namespace: podinfo\nspec:\n  chart:\n    spec:\n      version: \""+v+"\"  # pinned\n")
	}
	r.Commit("flux layout")
}

func TestPromoteCompleteValidate(t *testing.T) {
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	tests := []struct {
		name string
		args []string
		set  func(o *PromoteOptions)
		want string
	}{
		{name: "ok", args: []string{"staging", "production"}},
		{name: "one argument", args: []string{"staging"}, want: "want FROM and TO environments, got 1"},
		{name: "same", args: []string{"prod", "prod"}, want: `FROM and TO are both "prod"`},
		{name: "empty", args: []string{"", "prod"}, want: "must not be empty"},
		{name: "dry-run push", args: []string{"a", "b"}, set: func(o *PromoteOptions) { o.DryRun, o.Push = true, true }, want: "--dry-run commits nothing"},
		{name: "dry-run branch", args: []string{"a", "b"}, set: func(o *PromoteOptions) { o.DryRun, o.Branch = true, "x" }, want: "--dry-run commits nothing"},
		{name: "kubeconfig alone", args: []string{"a", "b"}, set: func(o *PromoteOptions) { o.Kubeconfig = "k" }, want: "--kubeconfig is only read with --require-live"},
		{name: "require-live bad kubeconfig", args: []string{"a", "b"}, set: func(o *PromoteOptions) {
			o.RequireLive, o.Kubeconfig = "ctx", filepath.Join(t.TempDir(), "missing")
		}, want: "--require-live ctx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewPromoteOptions(streams)
			if tt.set != nil {
				tt.set(o)
			}
			err := o.Complete(tt.args)
			if err == nil {
				err = o.Validate()
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if o.Dir == "" {
					t.Error("Complete did not set Dir")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(tt.want, "--") && !strings.Contains(tt.want, "require-live ctx") && !errors.Is(err, errUsage) {
				t.Errorf("err %v does not wrap errUsage", err)
			}
		})
	}
}
