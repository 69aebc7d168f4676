package promote

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRollback(t *testing.T) {
	r := overlaysRepo(t, map[string]string{"dev": "1", "staging": "1", "production": "1"})
	good := r.Head()
	prod := r.Git("show", "HEAD:overlays/production/kustomization.yaml") + "\n"
	r.WriteFile("overlays/production/kustomization.yaml", strings.Replace(prod, `"1"`, `"2"`, 1)).
		WriteFile("overlays/production/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n")
	bad := r.Commit("production: 2")
	r.WriteFile("base/notes.txt", "base changed\n").WriteFile("overlays/staging/notes.txt", "staging changed\n")
	r.Commit("unrelated")
	ctx := context.Background()

	rb, err := PrepareRollback(ctx, RollbackOptions{Dir: r.Dir, Env: "production", Git: runner()})
	if err != nil {
		t.Fatalf("PrepareRollback: %v", err)
	}
	if rb.Rev != good || len(rb.Undone) != 1 || rb.Undone[0].Hash.String() != bad {
		t.Fatalf("Rev %s undone %v, want %s undoing %s", rb.Rev, rb.Undone, good, bad)
	}
	if got := rb.Preview.Diff.Counts().String(); got != "0 to create, 1 changed, 0 to delete, 0 unchanged" {
		t.Errorf("diff: %s", got)
	}
	res, err := rb.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Git("show", "--format=", "--name-status", res.Commit); got != "D\toverlays/production/extra.yaml\nM\toverlays/production/kustomization.yaml" {
		t.Errorf("changed:\n%s", got)
	}
	if got := r.Git("show", "HEAD:overlays/production/kustomization.yaml") + "\n"; got != prod {
		t.Errorf("production not restored:\n%s", got)
	}
	if got := r.Git("show", "HEAD:base/notes.txt"); got != "base changed" {
		t.Errorf("base touched: %q", got)
	}
	msg := r.Git("log", "-1", "--format=%B")
	if !strings.HasPrefix(msg, "Roll back production to "+good[:7]) || !strings.Contains(msg, "- "+bad[:7]+" production: 2") ||
		!strings.HasSuffix(msg, "Rolled-Back-To: production@"+good) {
		t.Errorf("message:\n%s", msg)
	}

	// --to the bad commit again: restores it.
	rb, err = PrepareRollback(ctx, RollbackOptions{Dir: r.Dir, Env: "production", To: bad[:10], Git: runner()})
	if err != nil || rb.Rev != bad {
		t.Fatalf("--to: %v, rev %s", err, rb.Rev)
	}
}

func TestRollbackRefusals(t *testing.T) {
	r := overlaysRepo(t, map[string]string{"dev": "1", "staging": "1", "production": "1"})
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		o    RollbackOptions
		want error
		has  string
	}{
		{"never changed", RollbackOptions{Env: "staging"}, ErrNothingToRollBack, "name a revision with --to"},
		{"same content", RollbackOptions{Env: "staging", To: "HEAD"}, ErrNothingToRollBack, "is what it is at HEAD"},
		{"bad revision", RollbackOptions{Env: "staging", To: "nope"}, nil, "--to nope"},
		{"unknown env", RollbackOptions{Env: "qa"}, nil, `environment "qa": not found`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Dir, tt.o.Git = r.Dir, runner()
			_, err := PrepareRollback(ctx, tt.o)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.has) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.want, tt.has)
			}
		})
	}
}
