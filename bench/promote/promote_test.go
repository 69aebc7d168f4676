// Package promote benchmarks `git gitops promote` in a repository of 200
// apps x 3 environments (target: at most 1 s per promotion).
package promote

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/promote"
	"github.com/gitward/gitward/pkg/promote/promotecheck"
	"github.com/gitward/gitward/pkg/worktree"
)

const apps = 200

// build writes base/<app> (Deployment + Service) and overlays/<env>/<app>
// (namespace, image tag) for dev, staging and production, with every
// staging tag one ahead of production, and commits it.
func build(b *testing.B) (*gittest.Repo, worktree.Runner) {
	b.Helper()
	r := gittest.NewRepo(b)
	r.Git("config", "user.name", "Bench")
	r.Git("config", "user.email", "bench@example.invalid")
	for i := range apps {
		app := fmt.Sprintf("app-%03d", i)
		r.WriteFile("base/"+app+"/kustomization.yaml", "resources:\n- deployment.yaml\n- service.yaml\n").
			WriteFile("base/"+app+"/deployment.yaml", fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
spec:
  replicas: 2
  selector:
    matchLabels: {app: %[1]s}
  template:
    metadata:
      labels: {app: %[1]s}
    spec:
      containers:
      - name: %[1]s
        image: registry.example/%[1]s:0.0.0
        ports:
        - containerPort: 8080
`, app)).
			WriteFile("base/"+app+"/service.yaml", fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata:\n  name: %[1]s\nspec:\n  selector: {app: %[1]s}\n  ports:\n  - port: 80\n    targetPort: 8080\n", app))
	}
	for env, tag := range map[string]string{"dev": "1.2.0", "staging": "1.1.0", "production": "1.0.0"} {
		var list strings.Builder
		for i := range apps {
			app := fmt.Sprintf("app-%03d", i)
			list.WriteString("- " + app + "\n")
			r.WriteFile("overlays/"+env+"/"+app+"/kustomization.yaml", fmt.Sprintf(
				"resources:\n- ../../../base/%[1]s\nimages:\n- name: registry.example/%[1]s\n  newTag: %[2]q  # promoted\n", app, tag))
		}
		r.WriteFile("overlays/"+env+"/kustomization.yaml", "namespace: "+env+"\nresources:\n"+list.String())
	}
	r.Commit("200 apps x 3 environments")
	var env []string
	for _, kv := range gittest.Env() {
		if !strings.HasPrefix(kv, "GIT_AUTHOR_") && !strings.HasPrefix(kv, "GIT_COMMITTER_") {
			env = append(env, kv)
		}
	}
	return r, worktree.ExecRunner{Env: env}
}

func BenchmarkPromote(b *testing.B) {
	r, git := build(b)
	base := r.Head()
	ctx := context.Background()
	// The command checks TO with pkg/check (promotecheck), on the preview's
	// rendering of TO after the change (made once, with origins).
	command := promotecheck.New(nil)
	prepare := func(check promote.Checker) *promote.Promotion {
		p, err := promote.Prepare(ctx, promote.Options{Dir: r.Dir, From: "staging", To: "production", Git: git, Check: check})
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Plan.Moves) != apps || p.Preview.Diff.Counts().Change != apps {
			b.Fatalf("moves %d, diff %s", len(p.Plan.Moves), p.Preview.Diff.Counts())
		}
		return p
	}
	b.Run("dry-run", func(b *testing.B) {
		start := cpu()
		for b.Loop() {
			prepare(command)
		}
		reportCPU(b, start)
	})
	b.Run("dry-run-builtin-check", func(b *testing.B) {
		start := cpu()
		for b.Loop() {
			prepare(nil)
		}
		reportCPU(b, start)
	})
	b.Run("commit", func(b *testing.B) {
		start := cpu()
		for b.Loop() {
			p := prepare(command)
			if _, err := p.Commit(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			before := cpu()
			r.Git("reset", "--quiet", "--hard", base)
			start -= cpu() - before // the reset is not the promotion's
			b.StartTimer()
		}
		reportCPU(b, start)
	})
}

// cpu returns the CPU time (user + system) this process and its finished
// children (git) have used. On a shared machine wall time depends on the
// load; CPU time per operation does not.
func cpu() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

// reportCPU reports CPU milliseconds per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpu()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
