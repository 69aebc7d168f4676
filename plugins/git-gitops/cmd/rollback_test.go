package cmd

import (
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

func TestRollbackGolden(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, r *gittest.Repo)
	}{
		{name: "dry-run", args: []string{"rollback", "production", "--dry-run"}, check: func(t *testing.T, r *gittest.Repo) { unchanged(t, r, 3) }},
		{name: "commit", args: []string{"rollback", "production"}, check: func(t *testing.T, r *gittest.Repo) {
			if got := r.Git("show", "HEAD:overlays/production/kustomization.yaml"); !strings.Contains(got, `newTag: "1.0.0"`) {
				t.Errorf("not rolled back:\n%s", got)
			}
			if got := r.Git("show", "HEAD:overlays/staging/kustomization.yaml"); !strings.Contains(got, `newTag: "1.1.1"`) {
				t.Errorf("staging touched:\n%s", got)
			}
		}},
		{name: "to", args: []string{"rollback", "staging", "--to", "HEAD~2", "--dry-run"}},
		{name: "refuse-nothing", args: []string{"rollback", "dev"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gitRepo(t)
			overlays(r, "1.2.0", "1.1.0", "1.0.0")
			r.Commit("layout")
			r.WriteFile("overlays/production/kustomization.yaml", strings.Replace(r.Git("show", "HEAD:overlays/production/kustomization.yaml")+"\n", "1.0.0", "1.1.0", 1))
			r.Commit("Promote staging to production")
			r.WriteFile("overlays/staging/kustomization.yaml", strings.Replace(r.Git("show", "HEAD:overlays/staging/kustomization.yaml")+"\n", "1.1.0", "1.1.1", 1)).
				WriteFile("base/README", "base change\n")
			r.Commit("staging 1.1.1")
			golden(t, r, "rollback/"+tt.name, run(t, r.Dir, tt.args...))
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestRollbackCompleteValidate(t *testing.T) {
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	for _, tt := range []struct {
		name string
		args []string
		set  func(o *RollbackOptions)
		want string
	}{
		{name: "ok", args: []string{"production"}},
		{name: "no env", args: nil, want: "want one environment, got 0"},
		{name: "empty", args: []string{""}, want: "ENV must not be empty"},
		{name: "dry-run push", args: []string{"p"}, set: func(o *RollbackOptions) { o.DryRun, o.Push = true, true }, want: "--dry-run commits nothing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := NewRollbackOptions(streams)
			if tt.set != nil {
				tt.set(o)
			}
			err := o.Complete(tt.args)
			if err == nil {
				err = o.Validate()
			}
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
