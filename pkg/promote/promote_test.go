package promote

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/worktree"
)

func TestPromoteOverlays(t *testing.T) {
	r := overlaysRepo(t, map[string]string{"dev": "1.2.0", "staging": "1.1.0", "production": "1.0.0"})
	head := r.Head()
	ctx := context.Background()
	p, err := Prepare(ctx, Options{Dir: filepath.Join(r.Dir, "overlays", "staging"), From: "staging", To: "production", Git: runner()})
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if got := p.Preview.Diff.Counts().String(); !strings.Contains(got, "1 to change") && !strings.Contains(got, "1") {
		t.Errorf("diff counts = %s", got)
	}
	if len(p.Preview.Diff.Objects) != 1 || !strings.Contains(p.Preview.Diff.Objects[0].Diff, "+      - image: ghcr.io/acme/api:1.1.0") {
		t.Fatalf("diff = %+v", p.Preview.Diff.Objects)
	}
	res, err := p.Commit(ctx)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	msg := r.Git("log", "-1", "--format=%an|%B")
	want := "Grace Hopper|Promote staging to production\n\nMoved from staging (overlays/staging) to production (overlays/production):\n" +
		"- image ghcr.io/acme/api: ghcr.io/acme/api:1.0.0 → ghcr.io/acme/api:1.1.0\n\nPromoted-From: staging@" + head
	if msg != want {
		t.Errorf("commit:\n%s\nwant:\n%s", msg, want)
	}
	if got := r.Git("show", "--format=", "--name-only", res.Commit); got != "overlays/production/kustomization.yaml" {
		t.Errorf("changed %q", got)
	}
	if got := r.Git("show", "HEAD:overlays/production/kustomization.yaml"); !strings.Contains(got, "  newTag: \"1.1.0\"   # promoted") || !strings.HasPrefix(got, "# production\n") {
		t.Errorf("production kustomization:\n%s", got)
	}
	// Again: nothing to promote.
	if _, err := Prepare(ctx, Options{Dir: r.Dir, From: "staging", To: "production", Git: runner()}); !errors.Is(err, ErrNothingToPromote) {
		t.Errorf("second promotion: err = %v, want ErrNothingToPromote", err)
	}
}

func TestPromoteFlux(t *testing.T) {
	r := fluxRepo(t, "6.6.1", "6.5.0")
	p, err := Prepare(context.Background(), Options{Dir: r.Dir, From: "staging", To: "production", Git: runner()})
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	var moves []string
	for _, m := range p.Plan.Moves {
		moves = append(moves, m.String())
	}
	want := "apps/production/podinfo-values.yaml spec.chart.spec.version: 6.5.0 → 6.6.1\napps/production/podinfo-values.yaml spec.values.image.tag: 6.5.0 → 6.6.1"
	if strings.Join(moves, "\n") != want {
		t.Errorf("moves:\n%s", strings.Join(moves, "\n"))
	}
	// The preview is the chart's rendering, not the HelmRelease's YAML.
	var deployment string
	for _, o := range p.Preview.Diff.Objects {
		if o.Key.Kind == "HelmRelease" {
			t.Errorf("the preview shows the HelmRelease, not its chart's objects")
		}
		if o.Key.Kind == "Deployment" && o.Key.Name == "podinfo" {
			deployment = o.Diff
		}
	}
	if !strings.Contains(deployment, "+        image: ghcr.io/stefanprodan/podinfo:6.6.1") {
		t.Fatalf("no image change in the chart's Deployment: %+v", p.Preview.Diff.Objects)
	}
	if _, err := p.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := r.Git("show", "HEAD:apps/production/podinfo-values.yaml")
	if !strings.Contains(got, `version: "6.6.1"`) || !strings.Contains(got, "tag: 6.6.1   # follows the chart") {
		t.Errorf("values:\n%s", got)
	}
}

func TestPromoteRefusals(t *testing.T) {
	ctx := context.Background()
	tags := map[string]string{"dev": "2", "staging": "2", "production": "1"}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		o     Options
		want  error
		has   string
	}{
		{name: "dirty tree", setup: func(t *testing.T, dir string) { write(t, dir, "README.md", "x") },
			o: Options{From: "staging", To: "production"}, want: ErrDirty, has: "README.md; commit or stash them"},
		{name: "dirty file promote writes", setup: func(t *testing.T, dir string) {
			write(t, dir, "overlays/production/kustomization.yaml", "images: []\n")
		}, o: Options{From: "staging", To: "production", AllowDirty: true}, want: ErrDirty, has: "files this command would write: overlays/production/kustomization.yaml"},
		{name: "nothing to promote", o: Options{From: "dev", To: "staging"}, want: ErrNothingToPromote},
		{name: "same environment", o: Options{From: "staging", To: "staging"}, want: ErrSameEnvironment},
		{name: "unknown environment", o: Options{From: "staging", To: "prod"}, has: "known environments: dev, staging, production"},
		{name: "render fails after", setup: func(t *testing.T, dir string) {
			write(t, dir, "overlays/staging/kustomization.yaml", "resources:\n- ../../base\n- missing.yaml\nimages:\n- name: x\n  newTag: \"9\"\n")
			write(t, dir, "overlays/production/kustomization.yaml", "resources:\n- ../../base\n- missing.yaml\n")
			commitAll(t, dir)
		}, o: Options{From: "staging", To: "production"}, want: ErrCheckFailed, has: "does not render"},
		{name: "plaintext secret", setup: func(t *testing.T, dir string) {
			write(t, dir, "overlays/production/kustomization.yaml", "resources:\n- ../../base\n- secret.yaml\n")
			write(t, dir, "overlays/production/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: hunter2}\n")
			commitAll(t, dir)
		}, o: Options{From: "staging", To: "production"}, want: ErrCheckFailed, has: "Secret /db holds plaintext data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := overlaysRepo(t, tags)
			if tt.setup != nil {
				tt.setup(t, r.Dir)
			}
			status := r.Git("status", "--porcelain")
			tt.o.Dir, tt.o.Git = r.Dir, runner()
			_, err := Prepare(ctx, tt.o)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.has) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.want, tt.has)
			}
			if got := r.Git("status", "--porcelain"); got != status {
				t.Errorf("status changed: %q → %q", status, got)
			}
		})
	}
}

func TestPromoteBranchAndPush(t *testing.T) {
	r := overlaysRepo(t, map[string]string{"dev": "3", "staging": "2", "production": "1"})
	bare := r.Bare()
	r.Git("remote", "add", "origin", bare)
	p, err := Prepare(context.Background(), Options{Dir: r.Dir, From: "dev", To: "staging", Git: runner(),
		Commit: worktree.Options{Branch: "promote/staging", Push: true}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Commit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Git("rev-parse", "--abbrev-ref", "HEAD"); got != "main" {
		t.Errorf("checkout moved to %s", got)
	}
	if got := r.Git("--git-dir", bare, "rev-parse", "refs/heads/promote/staging"); got != res.Commit {
		t.Errorf("origin promote/staging = %s, want %s", got, res.Commit)
	}
	if st := r.Git("status", "--porcelain"); st != "" {
		t.Errorf("status = %q", st)
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func commitAll(t *testing.T, dir string) {
	t.Helper()
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", "setup"}} {
		if _, err := runner().Run(context.Background(), dir, nil, args...); err != nil {
			t.Fatal(err)
		}
	}
}
