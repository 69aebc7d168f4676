package cmd

import (
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

const installSource = "production=https://git.example.com/org/manifests.git@main:overlays/production"

func TestInstallValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(o *InstallOptions)
		wantErr string
	}{
		{"defaults", func(*InstallOptions) {}, ""},
		{"dry run without apply", func(o *InstallOptions) { o.DryRun = true }, "add --apply"},
		{"bad mode", func(o *InstallOptions) { o.WebhookMode = "audit" }, "want enforce"},
		{"bad image", func(o *InstallOptions) { o.Image = "gitward" }, "REPOSITORY:TAG"},
		{"bad source", func(o *InstallOptions) { o.SourceFlags = []string{"prod=repo-without-branch"} }, "NAME=REPO@BRANCH:PATH"},
		{"local repository", func(o *InstallOptions) { o.SourceFlags = []string{"prod=/home/me/manifests@main:overlays/prod"} }, `source "prod" has repository "/home/me/manifests"`},
		{"local repository allowed", func(o *InstallOptions) {
			o.SourceFlags = []string{"prod=/home/me/manifests@main:overlays/prod"}
			o.AllowLocalRepo = true
		}, ""},
		{"one CIDR flag", func(o *InstallOptions) { o.GitCIDRs = []string{"10.0.0.0/8"} }, "go together"},
		{"credentials type alone", func(o *InstallOptions) { o.GitSecretType = "ssh" }, "without --git-credentials-secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams, _, _, _ := genericiooptions.NewTestIOStreams()
			o := NewInstallOptions(nil, streams)
			o.SourceFlags = []string{installSource}
			tt.mutate(o)
			err := o.Complete(nil)
			if err == nil {
				err = o.Validate()
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Complete+Validate = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestInstallGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"self-bootstrap", nil},
		{"cert-manager", []string{"--cert-manager", "--webhook-mode=warn", "--agent-namespace=gitward"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams, _, out, errOut := genericiooptions.NewTestIOStreams()
			root := NewCmdGitops(streams)
			root.SetArgs(append([]string{"install", "--source", installSource, "--image", "ghcr.io/gitward/gitward:v1.0.0"}, tt.args...))
			root.SetOut(out)
			root.SetErr(errOut)
			if err := root.Execute(); err != nil {
				t.Fatalf("install: %v\n%s", err, errOut)
			}
			golden(t, "install/"+tt.name+".golden", out.String())
		})
	}
}

// TestInstallNotes: what the user should know goes to stderr, the
// manifests alone to stdout.
func TestInstallNotes(t *testing.T) {
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	root := NewCmdGitops(streams)
	root.SetArgs([]string{"install", "--source", installSource})
	root.SetOut(out)
	root.SetErr(errOut)
	if err := root.Execute(); err != nil {
		t.Fatalf("install: %v\n%s", err, errOut)
	}
	for _, want := range []string{"note: this kubectl-gitops was not built by a release", "--image", "note: no NetworkPolicy for the agent"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(out.String(), "note:") {
		t.Error("notes on stdout, mixed into the manifests")
	}
}
