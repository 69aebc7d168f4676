//go:build e2e

package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/tests/localcluster"
)

// TestAgentRestartKilled runs the gitward-agent binary, kills it with
// SIGKILL in the middle of a fetch (a Git server that stalls mid-pack) and
// in the middle of an apply (an admission webhook that holds one object's
// write), or spoils its work folder, and starts it again on the same work
// folder: within two cycles it is at the branch head, every object at the
// head's value, the inventory complete, the folder a sound clone.
func TestAgentRestartKilled(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	env := &agentEnv{cfg: c.RESTConfig(), kube: kubernetes.NewForConfigOrDie(c.RESTConfig())}
	env.dyn = newClients(t, c.RESTConfig(), nil).dyn
	env.install(t)
	bin := buildAgent(t)
	other := gittest.NewRepo(t)
	other.WriteFile("x.yaml", "x: 1\n").Commit("another repository")

	for i, tc := range []struct {
		name string
		// interrupt gets the first agent, running at 1s intervals on the
		// first commit, to where it is killed, pushing the second commit
		// with push; it runs with the source's URL behind proxy, in ns.
		interrupt func(t *testing.T, ns string, proxy *stallProxy, p *agentProc, dir string, push func())
	}{
		{"killed during a fetch", func(t *testing.T, _ string, proxy *stallProxy, p *agentProc, _ string, push func()) {
			proxy.armed.Store(true)
			push()
			<-proxy.stalled
			p.kill(t)
			proxy.armed.Store(false)
		}},
		{"killed during an apply", func(t *testing.T, ns string, _ *stallProxy, p *agentProc, _ string, push func()) {
			hold := newHoldWebhook(t, env.kube, ns, "b")
			hold.armed.Store(true)
			push()
			<-hold.held
			p.kill(t)
			var state []string
			for _, name := range []string{"a", "b", "c", "d"} {
				v, _ := env.cmValue(t, ns, name)
				state = append(state, name+"="+v)
			}
			t.Logf("killed while b's write was held: %v", state)
			hold.open()
		}},
		{"work folder holds another repository", func(t *testing.T, _ string, _ *stallProxy, p *agentProc, dir string, push func()) {
			p.kill(t)
			recloneInto(t, dir, gittest.FileURL(other.Bare()), "main")
			push()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := fmt.Sprintf("killed%d", i)
			src := newAgentRepo(t, ns, "first", configMapFile(ns, "a", "one"), configMapFile(ns, "b", "one"), configMapFile(ns, "c", "one"))
			proxy := newStallProxy(t, src.httpURL(t))
			dir := filepath.Join(t.TempDir(), "work")
			args := []string{"--kubeconfig", c.Kubeconfig, "--source", ns, "--repo", proxy.URL, "--branch", "main", "--path", "app",
				"--agent-namespace", agentNamespace, "--work-dir", dir, "--no-watch"}

			first := startAgentProc(t, bin, append(args, "--interval", "1s")...)
			eventually(t, "the first agent to apply the first commit", func() bool {
				return env.statusOrNil(t, ns)["lastAppliedCommit"] == src.Head()
			})
			push := func() {
				// A second commit: new values, a new object, and a large one,
				// so that the pack takes more than the first bytes.
				src.writeApp(ns, configMapFile(ns, "a", "two"), configMapFile(ns, "b", "two"), configMapFile(ns, "c", "two"),
					configMapFile(ns, "d", "two"), configMapFile(ns, "big", randomText(t, 256<<10)))
				src.push("second")
			}
			tc.interrupt(t, ns, proxy, first, filepath.Join(dir, ns), push)

			restarted := startAgentProc(t, bin, append(args, "--interval", "1h")...)
			eventually(t, "the restarted agent to apply the head", func() bool {
				st := env.statusOrNil(t, ns)
				return st["lastAppliedCommit"] == src.Head() && st["lastAttemptedCommit"] == src.Head()
			})
			if n := restarted.cycles(t); n > 2 {
				t.Errorf("at the head after %d cycles, want at most 2", n)
			} else {
				t.Logf("at the head after %d cycle(s)", n)
			}
			for _, name := range []string{"a", "b", "c", "d"} {
				env.wantCM(t, ns, name, "two")
			}
			want := []string{"/ConfigMap/" + ns + "/a", "/ConfigMap/" + ns + "/b", "/ConfigMap/" + ns + "/big",
				"/ConfigMap/" + ns + "/c", "/ConfigMap/" + ns + "/d", "/Namespace//" + ns}
			if inv := env.inventory(t, ns); !slices.Equal(inv, want) {
				t.Errorf("inventory = %v, want %v", inv, want)
			}
			if _, err := gitrepo.CheckClone(gitrepo.CloneOptions{URL: proxy.URL, Dir: filepath.Join(dir, ns), Branch: "main"}); err != nil {
				t.Errorf("the work folder is not a sound clone afterwards: %v", err)
			}
		})
	}
}

// statusOrNil is status, or nil while the SourceState does not exist.
func (e *agentEnv) statusOrNil(t *testing.T, source string) map[string]any {
	t.Helper()
	u, err := e.dyn.Resource(inventory.GVR).Namespace(agentNamespace).Get(t.Context(), source, metav1.GetOptions{})
	if err != nil {
		return nil
	}
	st, _ := u.Object["status"].(map[string]any)
	return st
}

// randomText is n bytes of incompressible text.
func randomText(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n*3/4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}
