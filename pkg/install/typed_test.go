package install

import (
	"errors"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/manifests"
	"github.com/gitward/gitward/pkg/config"
)

func renderFor(t *testing.T, o Options) *Result {
	t.Helper()
	r, err := Render(t.Context(), manifests.FS, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func typed[T any](t *testing.T, r *Result, kind, name string) *T {
	t.Helper()
	u := find(r.Objects, kind, name)
	if u == nil {
		t.Fatalf("no %s %s", kind, name)
	}
	var v T
	if err := fromUnstructured(u, &v); err != nil {
		t.Fatal(err)
	}
	return &v
}

func hasArg(args []string, want string) bool {
	for _, a := range args {
		if a == want {
			return true
		}
	}
	return false
}

func mountPath(d *appsv1.Deployment, volume string) string {
	for _, m := range d.Spec.Template.Spec.Containers[0].VolumeMounts {
		if m.Name == volume {
			return m.MountPath
		}
	}
	return ""
}

func TestGitCredentialsReachBothPrograms(t *testing.T) {
	tests := []struct {
		name     string
		sources  []config.Source
		kind     string
		agent    []string
		webhook  []string
		username string
	}{
		{name: "https token", sources: []config.Source{prod}, username: "bot",
			agent:   []string{"--git-token-file=/var/run/secrets/gitward/git/token", "--git-username=bot"},
			webhook: []string{"--token-file=/var/run/secrets/gitward/git/token", "--username=bot"}},
		{name: "ssh by URL", sources: []config.Source{{Name: "prod", Repo: "git@github.com:org/m.git", Branch: "main", Path: "p"}},
			agent:   []string{"--git-ssh-key-file=/var/run/secrets/gitward/git/ssh-privatekey", "--git-known-hosts-file=/var/run/secrets/gitward/git/known_hosts"},
			webhook: []string{"--ssh-key-file=/var/run/secrets/gitward/git/ssh-privatekey", "--known-hosts-file=/var/run/secrets/gitward/git/known_hosts"}},
		{name: "ssh asked for", sources: []config.Source{prod}, kind: GitSSH,
			agent: []string{"--git-ssh-key-file=/var/run/secrets/gitward/git/ssh-privatekey"}, webhook: []string{"--ssh-key-file=/var/run/secrets/gitward/git/ssh-privatekey"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := renderFor(t, Options{Sources: tt.sources, Git: GitCredentials{Secret: "creds", Kind: tt.kind, Username: tt.username}})
			for name, want := range map[string][]string{agentName: tt.agent, webhookName: tt.webhook} {
				d := typed[appsv1.Deployment](t, r, "Deployment", name)
				for _, w := range want {
					if !hasArg(d.Spec.Template.Spec.Containers[0].Args, w) {
						t.Errorf("%s args %q lack %s", name, d.Spec.Template.Spec.Containers[0].Args, w)
					}
				}
				if mountPath(d, "git") != GitMountPath {
					t.Errorf("%s does not mount the credentials at %s", name, GitMountPath)
				}
				for _, v := range d.Spec.Template.Spec.Volumes {
					if v.Name == "git" && (v.Secret == nil || v.Secret.SecretName != "creds" || v.Secret.Optional != nil) {
						t.Errorf("%s volume git = %+v, want the required Secret creds", name, v.VolumeSource)
					}
				}
			}
		})
	}
	t.Run("none", func(t *testing.T) {
		r := renderFor(t, Options{Sources: []config.Source{prod}})
		for _, name := range []string{agentName, webhookName} {
			d := typed[appsv1.Deployment](t, r, "Deployment", name)
			if mountPath(d, "git") != "" || mountPath(d, "webhook") != "" {
				t.Errorf("%s mounts a Secret nobody asked for", name)
			}
			for _, a := range d.Spec.Template.Spec.Containers[0].Args {
				if strings.Contains(a, "/var/run/secrets/gitward") {
					t.Errorf("%s reads %s without credentials given", name, a)
				}
			}
		}
	})
	t.Run("push webhook secret", func(t *testing.T) {
		r := renderFor(t, Options{Sources: []config.Source{prod}, PushWebhookSecret: "hook"})
		d := typed[appsv1.Deployment](t, r, "Deployment", agentName)
		if !hasArg(d.Spec.Template.Spec.Containers[0].Args, "--webhook-secret-file=/var/run/secrets/gitward/webhook/secret") || mountPath(d, "webhook") == "" {
			t.Error("push webhook secret not wired")
		}
	})
}

func TestAgentNetworkPolicy(t *testing.T) {
	r := renderFor(t, Options{Sources: []config.Source{prod}})
	if find(r.Objects, "NetworkPolicy", agentName) != nil {
		t.Error("an agent NetworkPolicy without --api-server-cidr/--git-cidr")
	}
	if len(r.Notes) == 0 || !strings.Contains(strings.Join(r.Notes, " "), "--api-server-cidr") {
		t.Errorf("notes %q do not say how to get a NetworkPolicy", r.Notes)
	}
	r = renderFor(t, Options{Namespace: "ops", Sources: []config.Source{prod}, APIServerCIDRs: []string{"172.18.0.2/32"}, GitCIDRs: []string{"10.1.0.0/16", "10.2.0.5/32"}})
	np := typed[networkingv1.NetworkPolicy](t, r, "NetworkPolicy", agentName)
	if np.Namespace != "ops" || len(np.Spec.Egress) != 3 {
		t.Fatalf("NetworkPolicy %s/%s with %d egress rules", np.Namespace, np.Name, len(np.Spec.Egress))
	}
	var cidrs []string
	for _, e := range np.Spec.Egress[:2] {
		for _, p := range e.To {
			cidrs = append(cidrs, p.IPBlock.CIDR)
		}
	}
	if got := strings.Join(cidrs, ","); got != "172.18.0.2/32,10.1.0.0/16,10.2.0.5/32" {
		t.Errorf("egress to %s", got)
	}
	y, _ := r.YAML()
	for _, placeholder := range []string{"10.0.0.1/32", "192.0.2.10/32"} {
		if strings.Contains(string(y), placeholder) {
			t.Errorf("placeholder %s rendered", placeholder)
		}
	}
}

func TestValidateNewFlags(t *testing.T) {
	local := func(repo string) Options {
		return Options{Sources: []config.Source{{Name: "prod", Repo: repo, Branch: "main", Path: "p"}}}
	}
	tests := []struct {
		name    string
		o       Options
		wantIs  error
		wantErr string
	}{
		{"local path", local("/home/me/manifests"), ErrLocalRepo, `source "prod" has repository "/home/me/manifests"`},
		{"relative path", local("../manifests"), ErrLocalRepo, "--allow-local-repo"},
		{"file URL", local("file:///srv/git/m.git"), ErrLocalRepo, "file:///srv/git/m.git"},
		{"only api server cidr", Options{Sources: []config.Source{prod}, APIServerCIDRs: []string{"10.0.0.1/32"}}, nil, "go together"},
		{"bad cidr", Options{Sources: []config.Source{prod}, APIServerCIDRs: []string{"10.0.0.1"}, GitCIDRs: []string{"10.0.0.2/32"}}, nil, `--api-server-cidr "10.0.0.1": not a CIDR`},
		{"bad credentials type", Options{Sources: []config.Source{prod}, Git: GitCredentials{Secret: "s", Kind: "oauth"}}, nil, "want token"},
		{"type without secret", Options{Sources: []config.Source{prod}, Git: GitCredentials{Kind: GitSSH}}, nil, "without --git-credentials-secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(t.Context(), manifests.FS, tt.o)
			if err == nil || tt.wantIs != nil && !errors.Is(err, tt.wantIs) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want %v containing %q", err, tt.wantIs, tt.wantErr)
			}
		})
	}
	for _, ok := range []string{"https://h/r.git", "git@github.com:org/m.git", "ssh://git@h:22/m.git", "http://127.0.0.1:8080/m.git"} {
		if _, err := Render(t.Context(), manifests.FS, local(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	o := local("/srv/m.git")
	o.AllowLocalRepo = true
	if _, err := Render(t.Context(), manifests.FS, o); err != nil {
		t.Errorf("--allow-local-repo: %v", err)
	}
}

func TestWebhookSchedulesOnOneNode(t *testing.T) {
	r := renderFor(t, Options{Sources: []config.Source{prod}})
	d := typed[appsv1.Deployment](t, r, "Deployment", webhookName)
	aa := d.Spec.Template.Spec.Affinity.PodAntiAffinity
	if len(aa.RequiredDuringSchedulingIgnoredDuringExecution) != 0 || len(aa.PreferredDuringSchedulingIgnoredDuringExecution) == 0 {
		t.Errorf("anti-affinity %+v, want preferred only", aa)
	}
	if find(r.Objects, "PodDisruptionBudget", webhookName) == nil {
		t.Error("no PodDisruptionBudget")
	}
}

func TestAgentRoleCoversWhatGitDeclares(t *testing.T) {
	r := renderFor(t, Options{Sources: []config.Source{prod}})
	role := typed[rbacv1.ClusterRole](t, r, "ClusterRole", "gitward-agent-apply")
	allows := func(group, resource, verb string) bool {
		for _, rule := range role.Rules {
			if (hasArg(rule.APIGroups, "*") || hasArg(rule.APIGroups, group)) &&
				(hasArg(rule.Resources, "*") || hasArg(rule.Resources, resource)) &&
				(hasArg(rule.Verbs, "*") || hasArg(rule.Verbs, verb)) {
				return true
			}
		}
		return false
	}
	for _, gr := range [][2]string{{"", "secrets"}, {"networking.k8s.io", "ingresses"}, {"batch", "jobs"},
		{"rbac.authorization.k8s.io", "roles"}, {"autoscaling", "horizontalpodautoscalers"},
		{"", "persistentvolumeclaims"}, {"bitnami.com", "sealedsecrets"}, {"example.com", "widgets"}} {
		for _, verb := range []string{"get", "list", "watch", "patch", "delete"} {
			if !allows(gr[0], gr[1], verb) {
				t.Errorf("the agent may not %s %s.%s", verb, gr[1], gr[0])
			}
		}
	}
	if !allows("rbac.authorization.k8s.io", "roles", "escalate") || !allows("rbac.authorization.k8s.io", "clusterroles", "bind") {
		t.Error("the agent cannot apply Roles that grant what it does not hold")
	}
	b := typed[rbacv1.ClusterRoleBinding](t, r, "ClusterRoleBinding", "gitward-agent-apply")
	if b.RoleRef.Name != "gitward-agent-apply" || b.Subjects[0].Name != agentName {
		t.Errorf("binding %+v", b)
	}
}

func TestFailOpen(t *testing.T) {
	r := renderFor(t, Options{Sources: []config.Source{prod}})
	u := find(r.Objects, "ValidatingWebhookConfiguration", webhookName)
	open, err := FailOpen(u)
	if err != nil {
		t.Fatal(err)
	}
	var before, after admissionv1.ValidatingWebhookConfiguration
	_ = fromUnstructured(u, &before)
	_ = fromUnstructured(open, &after)
	if len(after.Webhooks) == 0 || len(after.Webhooks) != len(before.Webhooks) {
		t.Fatalf("%d webhooks, want %d", len(after.Webhooks), len(before.Webhooks))
	}
	for i, w := range after.Webhooks {
		if *w.FailurePolicy != admissionv1.Ignore || *before.Webhooks[i].FailurePolicy != admissionv1.Fail {
			t.Errorf("webhook %s: failurePolicy %s (rendered %s)", w.Name, *w.FailurePolicy, *before.Webhooks[i].FailurePolicy)
		}
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(open.Object, "metadata", "creationTimestamp"); found {
		t.Error("the typed round trip added creationTimestamp")
	}
}
