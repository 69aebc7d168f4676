//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/render"
)

// TestAgent drives gitward-agent's sync loop against the local control plane
// and real Git repositories served over HTTP and file:// on loopback.
func TestAgent(t *testing.T) {
	newAgentEnv(t).runCases(t, []agentCase{
		{"commit, revert and removal", testCommitRevertPrune},
		{"git server unreachable", testFetchFailure},
		{"force-push to an older commit", testForcePush},
		{"one invalid manifest among 20", testInvalidManifest},
		{"killed mid-apply", testKilledMidApply},
		{"path escapes", testEscapes},
		{"self-heal on watch events", testSelfHeal},
		{"detect-only", testDetectOnly},
	})
}

func testCommitRevertPrune(t *testing.T, env *agentEnv) {
	const ns = "app1"
	src := newAgentRepo(t, ns, "first", configMapFile(ns, "a", "one"), configMapFile(ns, "b", "bee"))
	s := env.syncer(t, "app1", src.httpURL(t), "app", nil)

	rep := cycleOK(t, s)
	if rep.Applied != 3 {
		t.Errorf("first cycle applied %d objects, want 3", rep.Applied)
	}
	env.wantCM(t, ns, "a", "one")
	env.wantCM(t, ns, "b", "bee")
	if got := env.sourceOf(t, ns, "a"); got != "app1" {
		t.Errorf("source label = %q", got)
	}
	// An unlabelled object in the managed namespace.
	if _, err := env.kube.CoreV1().ConfigMaps(ns).Create(t.Context(), &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "handmade"}, Data: map[string]string{"value": "mine"},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	src.WriteFile("app/a.yaml", configMapYAML(ns, "a", "two"))
	src.push("change a")
	if rep := cycleOK(t, s); rep.Applied != 1 {
		t.Errorf("change applied %d objects, want 1", rep.Applied)
	}
	env.wantCM(t, ns, "a", "two")

	src.Git("revert", "--no-edit", "HEAD")
	src.pushHead()
	cycleOK(t, s)
	env.wantCM(t, ns, "a", "one")

	src.Remove("app/b.yaml").WriteFile("app/kustomization.yaml", kustomization("ns.yaml", "a.yaml"))
	src.push("remove b")
	if rep := cycleOK(t, s); rep.Pruned != 1 {
		t.Errorf("removal pruned %d objects, want 1", rep.Pruned)
	}
	env.wantCM(t, ns, "b", "")
	env.wantCM(t, ns, "a", "one")
	env.wantCM(t, ns, "handmade", "mine")

	st := env.status(t, "app1")
	if st["lastAppliedCommit"] != src.Head() {
		t.Errorf("status lastAppliedCommit = %v, want %s", st["lastAppliedCommit"], src.Head())
	}
	wantReady(t, st, "True", agent.ReasonSynced)
	if inv, _ := st["inventory"].([]any); len(inv) != 2 {
		t.Errorf("inventory = %v, want the Namespace and ConfigMap a", inv)
	}

	// A resync with no change writes nothing and still keeps the handmade object.
	if rep := cycleOK(t, s); rep.Applied != 0 || rep.Pruned != 0 {
		t.Errorf("no-change resync applied %d pruned %d", rep.Applied, rep.Pruned)
	}
	env.wantCM(t, ns, "handmade", "mine")
}

func testFetchFailure(t *testing.T, env *agentEnv) {
	const ns = "app2"
	src := newAgentRepo(t, ns, "first", configMapFile(ns, "a", "one"))
	proxy := newFlakyProxy(t, src.httpURL(t))
	s := env.syncer(t, "app2", proxy.URL, "app", nil)
	cycleOK(t, s)

	proxy.down(t)
	src.Remove("app/a.yaml").WriteFile("app/kustomization.yaml", kustomization("ns.yaml"))
	src.push("remove a")
	for range 2 {
		cycleFails(t, s, agent.ErrFetch)
	}
	env.wantCM(t, ns, "a", "one") // last state kept, nothing pruned
	wantReady(t, env.status(t, "app2"), "False", agent.ReasonFetchFailed)

	proxy.restore(t)
	cycleOK(t, s)
	env.wantCM(t, ns, "a", "") // resumed: the removal is applied
	wantReady(t, env.status(t, "app2"), "True", "")
}

func testForcePush(t *testing.T, env *agentEnv) {
	const ns = "app3"
	src := newAgentRepo(t, ns, "old", configMapFile(ns, "a", "old"))
	c1 := src.Head()
	s := env.syncer(t, "app3", gittest.FileURL(src.bare), "app", nil) // file:// transport
	cycleOK(t, s)
	src.WriteFile("app/a.yaml", configMapYAML(ns, "a", "new"))
	src.push("new")
	cycleOK(t, s)
	env.wantCM(t, ns, "a", "new")

	src.Push(src.bare, c1+":refs/heads/main")
	rep := cycleOK(t, s)
	if rep.Head != c1 || rep.Movement != "rewind" {
		t.Errorf("after the force-push: head %s movement %q, want %s and rewind", rep.Head, rep.Movement, c1)
	}
	env.wantCM(t, ns, "a", "old")
}

func testInvalidManifest(t *testing.T, env *agentEnv) {
	const ns = "app4"
	src := newAgentRepo(t, ns, "twenty", configMaps(ns, "cm-%02d", 20, "v1")...)
	s := env.syncer(t, "app4", src.httpURL(t), "app", nil)
	cycleOK(t, s)

	// Change every object, break cm-07 and remove cm-19.
	src.Remove("app/cm-19.yaml")
	src.writeApp(ns, configMaps(ns, "cm-%02d", 19, "v2")...)
	src.WriteFile("app/cm-07.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-07\n  namespace: "+ns+"\ndata:\n  value: [not, a, string]\n")
	src.push("break one")
	rep := cycleFails(t, s, agent.ErrApply)
	msg := rep.Err.Error()
	if !strings.Contains(msg, "ConfigMap app4/cm-07") || !strings.Contains(msg, "app/cm-07.yaml") {
		t.Errorf("error %q does not name the object and its file", msg)
	}
	if rep.Applied != 18 || rep.Failed != 1 || rep.Pruned != 0 {
		t.Errorf("applied %d failed %d pruned %d, want 18, 1, 0", rep.Applied, rep.Failed, rep.Pruned)
	}
	env.wantCM(t, ns, "cm-00", "v2")
	env.wantCM(t, ns, "cm-07", "v1")
	env.wantCM(t, ns, "cm-19", "v1") // no prune in a cycle with failures
	wantReady(t, env.status(t, "app4"), "False", agent.ReasonApplyFailed)

	// Fixing the manifest converges, and the removal is pruned.
	src.WriteFile("app/cm-07.yaml", configMapYAML(ns, "cm-07", "v2"))
	src.push("fix")
	rep = cycleOK(t, s)
	if rep.Pruned != 1 {
		t.Errorf("pruned %d, want cm-19", rep.Pruned)
	}
	env.wantCM(t, ns, "cm-07", "v2")
	env.wantCM(t, ns, "cm-19", "")
}

func testKilledMidApply(t *testing.T, env *agentEnv) {
	const ns = "app5"
	url := newAgentRepo(t, ns, "many", configMaps(ns, "cm-%03d", 300, "v1")...).httpURL(t)

	// The first agent is stopped as soon as some objects exist.
	ctx, cancel := context.WithCancel(t.Context())
	first := env.syncer(t, "app5", url, "app", func(o *agent.Options) { o.Concurrency = 2 })
	done := make(chan agent.Report, 1)
	go func() { done <- first.Cycle(ctx, agent.TriggerStart) }()
	eventually(t, "the first objects to be applied", func() bool {
		l, err := env.kube.CoreV1().ConfigMaps(ns).List(t.Context(), metav1.ListOptions{LabelSelector: "gitward.dev/source=app5"})
		return err == nil && len(l.Items) > 0
	})
	cancel()
	rep := <-done
	l, _ := env.kube.CoreV1().ConfigMaps(ns).List(t.Context(), metav1.ListOptions{LabelSelector: "gitward.dev/source=app5"})
	t.Logf("first agent stopped after %d of 300 ConfigMaps (error: %v)", len(l.Items), rep.Err)
	if len(l.Items) == 300 {
		t.Skip("the first agent finished before it was stopped; nothing to converge")
	}

	// A new agent (a restarted process) converges.
	second := env.syncer(t, "app5", url, "app", nil)
	rep = cycleOK(t, second)
	l, _ = env.kube.CoreV1().ConfigMaps(ns).List(t.Context(), metav1.ListOptions{LabelSelector: "gitward.dev/source=app5"})
	if len(l.Items) != 300 {
		t.Errorf("%d ConfigMaps after the restart, want 300", len(l.Items))
	}
	if inv := env.inventory(t, "app5"); len(inv) != 301 {
		t.Errorf("inventory has %d entries, want 301", len(inv))
	}
}

func testEscapes(t *testing.T, env *agentEnv) {
	const ns = "app6"
	src := newAgentRepo(t, ns, "safe", configMapFile(ns, "a", "safe"))
	s := env.syncer(t, "app6", src.httpURL(t), "app", nil)
	cycleOK(t, s)

	for _, tc := range []struct {
		name    string
		breakIt func()
	}{
		{"symlink escape", func() {
			src.WriteFile("app/a.yaml", configMapYAML(ns, "a", "evil")).Symlink("app/b.yaml", "/etc/hostname").
				WriteFile("app/kustomization.yaml", kustomization("ns.yaml", "a.yaml", "b.yaml"))
		}},
		{"../ path", func() {
			src.Remove("app/b.yaml").WriteFile("app/a.yaml", configMapYAML(ns, "a", "evil")).
				WriteFile("app/kustomization.yaml", kustomization("ns.yaml", "a.yaml", "../../../etc/hostname"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.breakIt()
			src.push(tc.name)
			cycleFails(t, s, agent.ErrRender, render.ErrEscapesRoot)
			env.wantCM(t, ns, "a", "safe")
			wantReady(t, env.status(t, "app6"), "False", agent.ReasonRenderFailed)
		})
	}
}

func testSelfHeal(t *testing.T, env *agentEnv) {
	const ns = "app7"
	src := newAgentRepo(t, ns, "first", configMapFile(ns, "a", "git"))
	s := env.syncer(t, "app7", src.httpURL(t), "app", func(o *agent.Options) {
		o.Watch, o.Debounce, o.Interval = true, 200*time.Millisecond, time.Hour
	})
	next := runAgent(t, s)
	if r := next(); r.Err != nil {
		t.Fatal(r.Err)
	}
	env.wantCM(t, ns, "a", "git")
	time.Sleep(500 * time.Millisecond) // let the watch start; the interval is an hour
	env.editCM(t, ns, "a", "hand-edited")
	eventually(t, "the watch to heal the edit", func() bool { v, _ := env.cmValue(t, ns, "a"); return v == "git" })
	healed := next()
	for healed.Drifted == 0 {
		healed = next()
	}
	if healed.Trigger != agent.TriggerWatch {
		t.Errorf("healed by a %s cycle, want watch", healed.Trigger)
	}
	// A deleted object is recreated too.
	if err := env.kube.CoreV1().ConfigMaps(ns).Delete(t.Context(), "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the watch to recreate the deleted object", func() bool { _, ok := env.cmValue(t, ns, "a"); return ok })
}

func testDetectOnly(t *testing.T, env *agentEnv) {
	const ns = "app8"
	src := newAgentRepo(t, ns, "first", configMapFile(ns, "a", "git"))
	url := src.httpURL(t)
	cycleOK(t, env.syncer(t, "app8", url, "app", nil))
	env.editCM(t, ns, "a", "hand-edited")

	detect := env.syncer(t, "app8", url, "app", func(o *agent.Options) { o.Mode = apply.ModeDetect })
	rep := cycleOK(t, detect)
	if rep.Drifted != 1 || rep.Applied != 0 {
		t.Errorf("detect-only: drifted %d applied %d, want 1 and 0", rep.Drifted, rep.Applied)
	}
	env.wantCM(t, ns, "a", "hand-edited")
	st := env.status(t, "app8")
	drifted, _ := st["driftedObjects"].([]any)
	if len(drifted) != 1 || !strings.Contains(fmt.Sprint(drifted[0]), "kubectl-edit") {
		t.Errorf("status driftedObjects = %v, want ConfigMap a changed by kubectl-edit", drifted)
	}
	wantReady(t, st, "False", agent.ReasonDrifted)
	// A change in Git is reported, not applied; nothing is pruned.
	src.WriteFile("app/a.yaml", configMapYAML(ns, "a", "git2"))
	src.push("change")
	if rep := cycleOK(t, detect); rep.Pending != 1 || rep.Applied != 0 {
		t.Errorf("detect-only: pending %d applied %d, want 1 and 0", rep.Pending, rep.Applied)
	}
	env.wantCM(t, ns, "a", "hand-edited")
}
