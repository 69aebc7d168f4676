//go:build e2e

package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
	whcmd "github.com/gitward/gitward/webhook/cmd"
)

// TestHelmAgentUnderWebhook runs the webhook in enforce mode and the agent
// on a chart environment: the agent's creates and updates of the chart's
// objects are admitted (the webhook renders the chart from Git too, per
// commit, through pkg/render), and a manual edit of them is denied.
func TestHelmAgentUnderWebhook(t *testing.T) {
	c := localcluster.StartForTest(t, localcluster.Options{})
	ctx := t.Context()
	admin := newClients(t, c.RESTConfig(), nil)
	env := &agentEnv{cfg: c.RESTConfig(), kube: admin.kube, dyn: admin.dyn}
	env.install(t)
	if _, err := admin.kube.CoreV1().Namespaces().Create(ctx,
		namespaceObj("guestbook", map[string]string{provenance.LabelSource: "guestbook"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	work := helmRepo(t, "2")
	bare := work.Bare()
	url := gittest.FileURL(bare)
	wh := startWebhook(t, c.Kubeconfig, url, "enforce", func(o *whcmd.ServeOptions) {
		o.SourceNames, o.Path = []string{"guestbook"}, helmEnvPath
	})
	registerWebhook(t, admin.kube, wh.url, wh.ca)

	agentCfg := rest.CopyConfig(c.RESTConfig())
	agentCfg.Impersonate = rest.ImpersonationConfig{UserName: agentUser, Groups: []string{"system:masters", "system:authenticated"}}
	s := env.syncer(t, "guestbook", url, helmEnvPath, func(o *agent.Options) {
		o.Config = agentCfg
		o.Interval = time.Hour
	})
	deployments := admin.kube.AppsV1().Deployments("guestbook")
	replicas := func(t *testing.T) int32 {
		t.Helper()
		d, err := deployments.Get(ctx, helmDeployment, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return *d.Spec.Replicas
	}

	t.Run("the chart's objects are created and admitted", func(t *testing.T) {
		rep := cycleOK(t, s)
		if rep.Applied != 2 || rep.Failed != 0 {
			t.Fatalf("applied %d, failed %d; want the chart's Deployment and Service", rep.Applied, rep.Failed)
		}
		if n := replicas(t); n != 2 {
			t.Errorf("replicas %d, want 2", n)
		}
	})
	t.Run("a values change is admitted", func(t *testing.T) {
		writeHelmValues(work, "3")
		work.Commit("guestbook: 3 replicas")
		work.Push(bare, "main")
		rep := cycleOK(t, s)
		if rep.Applied != 1 {
			t.Errorf("applied %d, want 1 (the Deployment)", rep.Applied)
		}
		if n := replicas(t); n != 3 {
			t.Errorf("replicas %d, want 3", n)
		}
	})
	t.Run("a manual edit of a chart object is denied", func(t *testing.T) {
		_, err := deployments.Patch(ctx, helmDeployment, types.StrategicMergePatchType, []byte(`{"spec":{"replicas":5}}`),
			metav1.PatchOptions{FieldManager: "kubectl-edit"})
		wantDenied(t, "edit", err, "deployment/"+helmDeployment, "spec.replicas — Git says 3, this request says 5")
		if n := replicas(t); n != 3 {
			t.Errorf("replicas %d after a denied edit, want 3", n)
		}
	})
}

// TestHelmCheck runs `git gitops check` on a chart environment: the
// Kyverno policy sees the chart's rendered Deployment (whose values give
// no resources) and fails it, naming the object.
func TestHelmCheck(t *testing.T) {
	r := helmRepo(t, "1")
	gitops := filepath.Join(t.TempDir(), "git-gitops")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", gitops,
		"github.com/gitward/gitward/plugins/git-gitops").CombinedOutput(); err != nil {
		t.Fatalf("go build git-gitops: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(t.Context(), gitops, "check", "guestbook")
	cmd.Dir = r.Dir
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("check passed; want the policy to fail the chart's Deployment:\n%s", out)
	}
	for _, want := range []string{"require-requests", helmDeployment} {
		if !strings.Contains(string(out), want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	// With requests in the values, the same chart passes.
	r.WriteFile(helmEnvPath, "replicaCount: 1\nresources:\n  requests: {memory: 16Mi}\n")
	r.Commit("guestbook: requests")
	cmd = exec.CommandContext(t.Context(), gitops, "check", "guestbook")
	cmd.Dir = r.Dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("check with requests: %v\n%s", err, out)
	}
}
