package cmd

import (
	"errors"
	"regexp"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/cli"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

const replicasPolicy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: limit-replicas
spec:
  rules:
  - name: at-most-five
    match:
      any:
      - resources:
          kinds: [Deployment]
    validate:
      failureAction: Enforce
      message: "{{ request.object.metadata.name }} asks for {{ request.object.spec.replicas }} replicas; at most 5"
      deny:
        conditions:
          all:
          - key: "{{ request.object.spec.replicas || ` + "`1`" + ` }}"
            operator: GreaterThan
            value: 5
`

// checkRepo is overlays/dev|staging|production over base, with a policy;
// production scales to 12 replicas and commits a plaintext Secret.
func checkRepo(t *testing.T) *gittest.Repo {
	r := gitRepo(t)
	overlays(r, "1.0.0", "1.0.0", "1.0.0")
	r.WriteFile("policies/replicas.yaml", replicasPolicy)
	r.WriteFile("overlays/production/kustomization.yaml", `namespace: production
resources:
- ../../base
- secret.yaml
- role.yaml
patches:
- target: {kind: Deployment, name: api}
  patch: |
    - op: add
      path: /spec/replicas
      value: 12
`)
	r.WriteFile("overlays/production/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2hunter2\n")
	r.WriteFile("overlays/production/role.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: api-reader\nrules: []\n")
	r.Commit("environments")
	return r
}

var timestamps = regexp.MustCompile(`seconds: \d+`)

func TestCheckGolden(t *testing.T) {
	r := checkRepo(t)
	tests := []struct {
		name string
		args []string
	}{
		{"text", []string{"check"}},
		{"clean", []string{"check", "dev", "staging"}},
		{"json", []string{"check", "production", "-o", "json"}},
		{"policyreport", []string{"check", "production", "-o", "policyreport"}},
		{"unknown-environment", []string{"check", "qa"}},
		{"bad-output", []string{"check", "-o", "xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, r.Dir, tt.args...)
			golden(t, r, "check/"+tt.name, timestamps.ReplaceAllString(got, "seconds: <now>"))
		})
	}
}

// TestCheckRev checks the committed tree while the working tree differs.
func TestCheckRev(t *testing.T) {
	r := checkRepo(t)
	r.Remove("overlays/production/secret.yaml")
	r.WriteFile("overlays/production/kustomization.yaml", "namespace: production\nresources:\n- ../../base\n")
	golden(t, r, "check/rev-head", run(t, r.Dir, "check", "production", "--rev", "HEAD"))
	golden(t, r, "check/worktree", run(t, r.Dir, "check", "production"))
}

func TestCheckValidate(t *testing.T) {
	tests := []struct {
		name     string
		output   string
		wantCode int
	}{
		{"text", "text", 0},
		{"json", "json", 0},
		{"policyreport", "policyreport", 0},
		{"yaml is not a format", "yaml", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewCheckOptions(genericiooptions.NewTestIOStreamsDiscard())
			o.Output = tt.output
			err := o.Validate()
			var exit *cli.ExitError
			switch {
			case tt.wantCode == 0 && err != nil:
				t.Errorf("Validate() = %v", err)
			case tt.wantCode != 0 && (!errors.As(err, &exit) || exit.Code != tt.wantCode):
				t.Errorf("Validate() = %v, want exit code %d", err, tt.wantCode)
			}
		})
	}
}

func TestCheckCompleteOutsideCheckout(t *testing.T) {
	o := NewCheckOptions(genericiooptions.NewTestIOStreamsDiscard())
	o.Dir = t.TempDir()
	var exit *cli.ExitError
	if err := o.Complete(nil); !errors.As(err, &exit) || exit.Code != 2 {
		t.Errorf("Complete() outside a checkout = %v, want exit code 2", err)
	}
}
