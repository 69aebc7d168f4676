//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

// TestAgentRestart stops a running agent, leaves its work folder as a kill,
// a crash or a config change would, and restarts it on the same folder: it
// must converge to the branch head within two cycles, never wedge.
func TestAgentRestart(t *testing.T) {
	env := newAgentEnv(t)
	other := gittest.NewRepo(t)
	other.WriteFile("x.yaml", "x: 1\n").Commit("another repository")
	otherURL := gittest.FileURL(other.Bare())

	for i, tc := range []struct {
		name string
		// spoil changes the stopped agent's work folder dir; url is the
		// source's URL.
		spoil func(t *testing.T, dir, url string)
	}{
		{"same folder, untouched", func(*testing.T, string, string) {}},
		{"clone of another URL", func(t *testing.T, dir, _ string) { recloneInto(t, dir, otherURL, "main") }},
		{"clone of another branch", func(t *testing.T, dir, url string) { recloneInto(t, dir, url, "old") }},
		{"half-written clone: refs and HEAD missing", func(t *testing.T, dir, _ string) {
			removeAll(t, filepath.Join(dir, "HEAD"), filepath.Join(dir, "refs"), filepath.Join(dir, "packed-refs"))
		}},
		{"corrupt object store: packs truncated", func(t *testing.T, dir, _ string) {
			packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
			for _, p := range packs {
				if err := os.Truncate(p, 64); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"interrupted replacement: no folder, temporary siblings", func(t *testing.T, dir, _ string) {
			base := filepath.Base(dir)
			if err := os.Rename(dir, filepath.Join(filepath.Dir(dir), "."+base+".gitward-old-1")); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(filepath.Dir(dir), "."+base+".gitward-clone-2", "objects"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := fmt.Sprintf("restart%d", i)
			src := newAgentRepo(t, ns, "first", configMapFile(ns, "a", "one"))
			src.Git("branch", "old")
			src.Git("push", "--quiet", src.bare, "old")
			url := src.httpURL(t)
			dir := filepath.Join(t.TempDir(), "work", ns)
			withDir := func(o *agent.Options) { o.WorkDir = dir }

			runOneCycleThenStop(t, env.syncer(t, ns, url, "app", withDir))
			env.wantCM(t, ns, "a", "one")

			tc.spoil(t, dir, url)
			src.WriteFile("app/a.yaml", configMapYAML(ns, "a", "two"))
			src.push("second")

			restarted := env.syncer(t, ns, url, "app", withDir)
			for cycle := 1; ; cycle++ {
				rep := restarted.Cycle(t.Context(), agent.TriggerStart)
				if rep.Err == nil && env.status(t, ns)["lastAppliedCommit"] == src.Head() {
					t.Logf("converged to head in cycle %d", cycle)
					break
				}
				if cycle == 2 {
					t.Fatalf("not at head %s after two cycles: %v", src.Head(), rep.Err)
				}
			}
			env.wantCM(t, ns, "a", "two")
			if _, err := gitrepo.CheckClone(gitrepo.CloneOptions{URL: url, Dir: dir, Branch: "main"}); err != nil {
				t.Errorf("the work folder is not a sound clone afterwards: %v", err)
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".*.gitward-*")); len(left) > 0 {
				t.Errorf("temporary siblings left: %v", left)
			}
		})
	}
}

// runOneCycleThenStop runs s in its own loop, as the agent binary does, and
// cancels it after its first cycle: the in-process equivalent of killing
// the agent between cycles.
func runOneCycleThenStop(t *testing.T, s *agent.Syncer) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	first := make(chan agent.Report, 1)
	s.OnCycle(func(r agent.Report) {
		select {
		case first <- r:
		default:
		}
	})
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Start(ctx) }()
	if r := <-first; r.Err != nil {
		t.Fatalf("first agent's cycle: %v", r.Err)
	}
	cancel()
	<-done
}

// recloneInto replaces dir with a bare clone of url's branch.
func recloneInto(t *testing.T, dir, url, branch string) {
	t.Helper()
	removeAll(t, dir)
	if _, err := gitrepo.Clone(t.Context(), gitrepo.CloneOptions{URL: url, Dir: dir, Branch: branch, Depth: 1}); err != nil {
		t.Fatal(err)
	}
}

func removeAll(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
}
