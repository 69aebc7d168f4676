//go:build e2e

package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/localsync"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

// liveContext is the kubeconfig context promote --require-live reads.
const liveContext = "staging-cluster"

// liveKubeconfig writes a kubeconfig whose context liveContext is c, and
// whose current context "elsewhere" is a loopback port nothing listens on:
// a command that ignored --require-live's context would fail.
func liveKubeconfig(t *testing.T, c *localcluster.Cluster) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cur := cfg.Contexts[cfg.CurrentContext]
	if cur == nil {
		t.Fatalf("%s: no current context", c.Kubeconfig)
	}
	cfg.Clusters["elsewhere"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1", InsecureSkipTLSVerify: true}
	cfg.Contexts = map[string]*clientcmdapi.Context{
		liveContext: cur,
		"elsewhere": {Cluster: "elsewhere", AuthInfo: cur.AuthInfo},
	}
	cfg.CurrentContext = "elsewhere"
	file := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, file); err != nil {
		t.Fatal(err)
	}
	return file
}

// liveBase is base/: two Deployments running ghcr.io/acme/api, and a
// ConfigMap no image change touches.
var liveBase = map[string]string{
	"base/kustomization.yaml": "resources: [api.yaml, worker.yaml, settings.yaml]\n",
	"base/api.yaml":           gittest.LayoutDeployment("0.0.0"),
	"base/worker.yaml": strings.NewReplacer("name: api\n", "name: worker\n", "app: api", "app: worker").
		Replace(gittest.LayoutDeployment("0.0.0")),
	"base/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {level: info}\n",
}

// liveOverlay is overlays/<env>: its namespace, and the image tag.
func liveOverlay(env, tag string) string {
	return strings.Replace(gittest.LayoutOverlay(env, tag), "- ../../base\n", "- ../../base\n- namespace.yaml\n", 1)
}

// syncAt runs `kubectl gitops sync --source staging` with the checkout at
// commit, as push-mode CI does, and puts the checkout back on main.
func syncAt(t *testing.T, p *gitPerson, kubeconfig, commit string) {
	t.Helper()
	p.mustGit("", "checkout", "--quiet", "--detach", commit)
	defer p.mustGit("", "checkout", "--quiet", "main")
	runGitops(t, kubeconfig, p.dir, "sync", "--source", "staging", "--context", liveContext).mustSucceed(t, "sync at "+commit)
}

// applyOnly applies the objects of source staging at commit that keep
// returns true for, through the agent's apply engine: an agent stopped
// midway through a rollout.
func applyOnly(t *testing.T, p *gitPerson, c *localcluster.Cluster, commit string, keep func(apply.Object) bool) {
	t.Helper()
	p.mustGit("", "checkout", "--quiet", "--detach", commit)
	defer p.mustGit("", "checkout", "--quiet", "main")
	plan, err := localsync.Prepare(t.Context(), localsync.Options{Dir: p.dir, Source: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	kept := plan.Objects[:0]
	for _, o := range plan.Objects {
		if keep(o) {
			kept = append(kept, o)
		}
	}
	plan.Objects = kept
	rc := c.RESTConfig()
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(rc)))
	a, err := apply.New(apply.Options{Dynamic: dynamic.NewForConfigOrDie(rc), Metadata: metadata.NewForConfigOrDie(rc),
		Mapper: mapper, Source: plan.Source, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := localsync.Sync(t.Context(), plan, localsync.SyncOptions{Applier: a}); err != nil {
		t.Fatal(err)
	}
}

// liveCommits returns the commit annotation of each named object of
// namespace staging ("Deployment/api", "ConfigMap/settings").
func liveCommits(t *testing.T, kube kubernetes.Interface) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{"api", "worker"} {
		d, err := kube.AppsV1().Deployments("staging").Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out["Deployment/"+name] = d.Annotations[provenance.AnnotationCommit]
	}
	cm, err := kube.CoreV1().ConfigMaps("staging").Get(t.Context(), "settings", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out["ConfigMap/settings"] = cm.Annotations[provenance.AnnotationCommit]
	return out
}

// promoteLive runs `git gitops promote staging production --require-live`
// with extra arguments.
func promoteLive(p *gitPerson, kubeconfig string, extra ...string) (string, string, error) {
	args := append([]string{"gitops", "promote", "staging", "production", "--require-live", liveContext, "--kubeconfig", kubeconfig}, extra...)
	return p.git("", args...)
}

// refused runs promote and checks that it fails with every one of wants
// on stderr and changes nothing.
func refused(t *testing.T, p *gitPerson, args []string, wants ...string) {
	t.Helper()
	before := p.state()
	out, errOut, err := p.git("", append([]string{"gitops", "promote", "staging", "production"}, args...)...)
	if err == nil {
		t.Fatalf("promote %v succeeded:\n%s%s", args, out, errOut)
	}
	t.Logf("refused, as it should:\n%s", errOut)
	wantAll(t, "stderr", errOut, wants...)
	if after := p.state(); after != before {
		t.Errorf("a refused promotion changed the repository:\n%s\nwas:\n%s", after, before)
	}
}

// TestPromoteLive runs `git gitops promote --require-live` against a real
// control plane that staging was synced to with the project's own apply
// engine: production gets what the cluster runs, not staging's head.
func TestPromoteLive(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	kubeconfig := liveKubeconfig(t, c)
	kube := kubernetes.NewForConfigOrDie(c.RESTConfig())

	p := newGitPerson(t)
	for name, content := range liveBase {
		p.write(name, content)
	}
	for env, tag := range map[string]string{"staging": "v1", "production": "v0"} {
		p.write("overlays/"+env+"/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+env+"}\n")
		p.write("overlays/"+env+"/kustomization.yaml", liveOverlay(env, tag))
	}
	commitA := p.commit("staging: v1")
	p.write("overlays/staging/kustomization.yaml", liveOverlay("staging", "v2"))
	commitB := p.commit("staging: v2")
	prodFile := "overlays/production/kustomization.yaml"

	t.Run("unknown-context", func(t *testing.T) {
		refused(t, p, []string{"--require-live", "nope", "--kubeconfig", kubeconfig}, `"nope"`, kubeconfig, liveContext)
	})

	t.Run("unreachable-context", func(t *testing.T) {
		refused(t, p, []string{"--require-live", "elsewhere", "--kubeconfig", kubeconfig}, "context elsewhere", "127.0.0.1:1")
	})

	t.Run("nothing-live", func(t *testing.T) {
		refused(t, p, []string{"--require-live", liveContext, "--kubeconfig", kubeconfig},
			"context "+liveContext, "namespace staging", "source staging")
	})

	syncAt(t, p, kubeconfig, commitA)
	if got := liveCommits(t, kube); got["Deployment/api"] != commitA || got["ConfigMap/settings"] != commitA {
		t.Fatalf("after sync at A: %v, want every object at %s", got, commitA)
	}

	t.Run("promotes-what-runs", func(t *testing.T) {
		out, errOut, err := promoteLive(p, kubeconfig)
		if err != nil {
			t.Fatalf("promote --require-live: %v\n%s%s", err, out, errOut)
		}
		t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
		wantAll(t, "stdout", out, "from staging@"+commitA[:7]+" (live)",
			"image ghcr.io/acme/api: ghcr.io/acme/api:v0 → ghcr.io/acme/api:v1", "+      - image: ghcr.io/acme/api:v1")
		if strings.Contains(out, "api:v2") {
			t.Errorf("promoted staging's head (v2), not what runs:\n%s", out)
		}
		if got := p.mustGit("", "rev-parse", "HEAD^"); got != commitB {
			t.Errorf("HEAD^ = %s, want staging's head %s", got, commitB)
		}
		if trailer := p.mustGit("", "log", "-1", "--format=%(trailers:key=Promoted-From,valueonly)"); trailer != "staging@"+commitA {
			t.Errorf("Promoted-From: %q, want staging@%s (the live commit)", trailer, commitA)
		}
		if got := p.mustGit("", "show", "--format=", "--name-only", "HEAD"); got != prodFile {
			t.Errorf("the promotion changed %q, want only %s", got, prodFile)
		}
		if got := p.mustGit("", "show", "HEAD:"+prodFile) + "\n"; got != liveOverlay("production", "v1") {
			t.Errorf("%s:\n%s\nwant v1, comments kept:\n%s", prodFile, got, liveOverlay("production", "v1"))
		}
	})

	// An agent stopped midway through B: api runs v2, worker still v1.
	applyOnly(t, p, c, commitB, func(o apply.Object) bool { return o.Object.GetName() == "api" })
	if got := liveCommits(t, kube); got["Deployment/api"] != commitB || got["Deployment/worker"] != commitA {
		t.Fatalf("after the partial rollout: %v, want api at B, worker at A", got)
	}

	t.Run("rollout-in-progress", func(t *testing.T) {
		refused(t, p, []string{"--require-live", liveContext, "--kubeconfig", kubeconfig},
			"Deployment staging/worker", commitA[:7], commitB[:7], "context "+liveContext)
	})

	// The rollout settles: worker moves to B; the Namespace and ConfigMap,
	// unchanged since A, keep A (their digest did not change).
	syncAt(t, p, kubeconfig, commitB)
	if got := liveCommits(t, kube); got["Deployment/worker"] != commitB || got["ConfigMap/settings"] != commitA {
		t.Fatalf("after the rollout: %v, want the Deployments at B and settings still at A", got)
	}

	t.Run("settled-mixed-commits", func(t *testing.T) {
		out, errOut, err := promoteLive(p, kubeconfig)
		if err != nil {
			t.Fatalf("promote --require-live: %v\n%s%s", err, out, errOut)
		}
		t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
		if !strings.Contains(out, "from staging@"+commitB[:7]+" (live)") || !strings.Contains(out, "ghcr.io/acme/api:v1 → ghcr.io/acme/api:v2") {
			t.Errorf("stdout:\n%s", out)
		}
		for _, want := range []string{commitA[:7], commitB[:7], "unchanged"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q (which commits the cluster runs):\n%s", want, errOut)
			}
		}
		if trailer := p.mustGit("", "log", "-1", "--format=%(trailers:key=Promoted-From,valueonly)"); trailer != "staging@"+commitB {
			t.Errorf("Promoted-From: %q, want staging@%s", trailer, commitB)
		}
	})
}
