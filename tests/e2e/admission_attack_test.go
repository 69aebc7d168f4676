//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gitward/gitward/pkg/provenance"
)

// The adversarial suite of issue 11: one test per numbered item of the issue
// (8 and 10 have their own files). Each sets production up on its own control
// plane (newAttackSuite), acts as a person with the built-in ClusterRole edit
// in the managed namespace shop (or as a ServiceAccount with status rights),
// and shows the request denied with a message naming what is wrong, and the
// live object unchanged.

// TestAdmissionAttack1DeclaredEmptyMap: Git declares an empty map; a request
// that fills it is not "what Git says".
func TestAdmissionAttack1DeclaredEmptyMap(t *testing.T) {
	s := newAttackSuite(t)
	t.Run("securityContext {} filled with privileged and runAsUser 0", func(t *testing.T) {
		before := s.get(t, "Deployment", attackNS, "web")
		err := patch(t, s.attacker, "Deployment", attackNS, "web", types.StrategicMergePatchType,
			`{"spec":{"template":{"spec":{"containers":[{"name":"web","securityContext":{"privileged":true,"runAsUser":0}}]}}}}`)
		wantAttackDenied(t, "kubectl patch securityContext", err, "deployment/web in namespace shop", "securityContext", "privileged")
		s.wantUnchanged(t, before)
	})
	t.Run("data {} filled with ADMIN_MODE, keeping the commit annotation", func(t *testing.T) {
		before := s.get(t, "ConfigMap", attackNS, "empty")
		commit := before.GetAnnotations()[provenance.AnnotationCommit]
		err := patch(t, s.attacker, "ConfigMap", attackNS, "empty", types.MergePatchType,
			`{"metadata":{"annotations":{"`+provenance.AnnotationCommit+`":"`+commit+`"}},"data":{"ADMIN_MODE":"true"}}`)
		wantAttackDenied(t, "kubectl patch data", err, "configmap/empty in namespace shop", "ADMIN_MODE")
		s.wantUnchanged(t, before)
	})
}

// TestAdmissionAttack2RemovedZeroValue: removing a field Git declares is a
// change, zero values (false, 0, "") included.
func TestAdmissionAttack2RemovedZeroValue(t *testing.T) {
	s := newAttackSuite(t)
	removals := []struct {
		name, kind, object, patch string
		parts                     []string
	}{
		{"allowPrivilegeEscalation: false", "Deployment", "web",
			`[{"op":"test","path":"/spec/template/spec/containers/1/name","value":"sidecar"},` +
				`{"op":"remove","path":"/spec/template/spec/containers/1/securityContext/allowPrivilegeEscalation"}]`,
			[]string{"deployment/web", "allowPrivilegeEscalation"}},
		{"automountServiceAccountToken: false", "Deployment", "web",
			`[{"op":"remove","path":"/spec/template/spec/automountServiceAccountToken"}]`,
			[]string{"deployment/web", "automountServiceAccountToken"}},
		{"replicas: 0 (defaulted to 1 once removed)", "Deployment", "idle",
			`[{"op":"remove","path":"/spec/replicas"}]`,
			[]string{"deployment/idle", "replicas"}},
		{`FEATURE_X: ""`, "ConfigMap", "zeros",
			`[{"op":"remove","path":"/data/FEATURE_X"}]`,
			[]string{"configmap/zeros", "FEATURE_X"}},
	}
	for _, r := range removals {
		t.Run("remove "+r.name, func(t *testing.T) {
			before := s.get(t, r.kind, attackNS, r.object)
			err := patch(t, s.attacker, r.kind, attackNS, r.object, types.JSONPatchType, r.patch)
			wantAttackDenied(t, "JSON patch removing "+r.name, err, r.parts...)
			s.wantUnchanged(t, before)
		})
	}
	t.Run("scale from replicas 0", func(t *testing.T) {
		before := s.get(t, "Deployment", attackNS, "idle")
		err := patch(t, s.attacker, "Deployment", attackNS, "idle", types.MergePatchType, `{"spec":{"replicas":1}}`, "scale")
		wantAttackDenied(t, "kubectl scale --replicas=1", err, "deployment/idle", "replicas")
		s.wantUnchanged(t, before)
	})
}

// TestAdmissionAttack3UnknownSource: a source label naming a source the
// webhook does not track fails closed, on CREATE and on every later UPDATE
// and DELETE.
func TestAdmissionAttack3UnknownSource(t *testing.T) {
	seeded := func(ns string) string {
		return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"seeded-nope","namespace":"` + ns +
			`","labels":{"` + provenance.LabelSource + `":"` + unknownSource + `"}},"data":{"k":"v"}}`
	}
	s := newAttackSuite(t, func(t *testing.T, s *attackSuite) {
		// Objects that got in before the webhook ran (as one would on
		// today's main, with a warning).
		mustCreate(t, s.admin, seeded(attackNS))
		mustCreate(t, s.admin, seeded(unknownSourceNS))
	})
	labelled := func(kind, ns, name string) string {
		m := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"` + name + `","namespace":"` + ns +
			`","labels":{"` + provenance.LabelSource + `":"` + unknownSource + `"}},"data":{"ADMIN_MODE":"true"}}`
		if kind == "Deployment" {
			m = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"` + name + `","namespace":"` + ns +
				`","labels":{"` + provenance.LabelSource + `":"` + unknownSource + `"}},"spec":{"replicas":1,` +
				`"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},` +
				`"spec":{"containers":[{"name":"web","image":"registry.k8s.io/pause:3.10"}]}}}}`
		}
		return m
	}
	creates := []struct{ what, kind, ns, name, manifest string }{
		{"a ConfigMap labelled " + unknownSource + " in shop", "ConfigMap", attackNS, "rogue", labelled("ConfigMap", attackNS, "rogue")},
		{"a Deployment labelled " + unknownSource + " in shop", "Deployment", attackNS, "rogue", labelled("Deployment", attackNS, "rogue")},
		{"a ConfigMap labelled " + unknownSource + " in playground", "ConfigMap", unknownSourceNS, "rogue", labelled("ConfigMap", unknownSourceNS, "rogue")},
		{"an unlabelled ConfigMap in playground (namespace labelled " + unknownSource + ")", "ConfigMap", unknownSourceNS, "rogue-plain",
			`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"rogue-plain","namespace":"` + unknownSourceNS + `"},"data":{"k":"v"}}`},
	}
	for _, c := range creates {
		t.Run("create "+c.what, func(t *testing.T) {
			err := create(t, s.attacker, c.manifest)
			wantAttackDenied(t, "create", err, unknownSource)
			if err != nil {
				s.wantAbsent(t, c.kind, c.ns, c.name)
				return
			}
			// It got in: every later change passes too.
			err = patch(t, s.attacker, c.kind, c.ns, c.name, types.MergePatchType, `{"metadata":{"annotations":{"later":"edit"}}}`)
			wantAttackDenied(t, "update of what got in", err, unknownSource)
			err = s.attacker.dyn.Resource(attackGVR[c.kind]).Namespace(c.ns).Delete(t.Context(), c.name, metav1.DeleteOptions{})
			wantAttackDenied(t, "delete of what got in", err, unknownSource)
		})
	}
	for _, ns := range []string{attackNS, unknownSourceNS} {
		t.Run("update and delete of an object labelled "+unknownSource+" in "+ns, func(t *testing.T) {
			before := s.get(t, "ConfigMap", ns, "seeded-nope")
			err := patch(t, s.attacker, "ConfigMap", ns, "seeded-nope", types.MergePatchType, `{"data":{"k":"changed"}}`)
			wantAttackDenied(t, "update", err, unknownSource)
			err = s.attacker.kube.CoreV1().ConfigMaps(ns).Delete(t.Context(), "seeded-nope", metav1.DeleteOptions{})
			wantAttackDenied(t, "delete", err, unknownSource)
			s.wantUnchanged(t, before)
		})
	}
}

// TestAdmissionAttack4SelfClaimedOwner: a controller ownerReference takes an
// object out of scope only for a controller identity, not for whoever writes
// it.
func TestAdmissionAttack4SelfClaimedOwner(t *testing.T) {
	s := newAttackSuite(t, func(t *testing.T, s *attackSuite) {
		// A Job of Git's CronJob, as the cronjob controller creates it.
		cron := s.get(t, "CronJob", attackNS, "nightly")
		mustCreate(t, s.admin, `apiVersion: batch/v1
kind: Job
metadata:
  name: nightly-29000000
  namespace: shop
  ownerReferences:
    - {apiVersion: batch/v1, kind: CronJob, name: nightly, uid: `+string(cron.GetUID())+`, controller: true, blockOwnerDeletion: true}
spec:
  suspend: true
  template:
    spec:
      restartPolicy: OnFailure
      containers:
        - {name: report, image: registry.k8s.io/pause:3.10}
`)
		// A Secret of a SealedSecret, as the sealed-secrets controller
		// creates it.
		s.installCRD(t, crdManifest("bitnami.com", "v1alpha1", "SealedSecret", "sealedsecrets"), "SealedSecret")
		sealed := mustCreate(t, s.admin, `{"apiVersion":"bitnami.com/v1alpha1","kind":"SealedSecret","metadata":{"name":"db","namespace":"shop"},"spec":{"encryptedData":{"password":"AgB="}}}`)
		mustCreate(t, s.admin, `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
  ownerReferences:
    - {apiVersion: bitnami.com/v1alpha1, kind: SealedSecret, name: db, uid: `+string(sealed.GetUID())+`, controller: true}
stringData: {password: from-git}
`)
	})
	var rootCA string
	waitFor(t, "ConfigMap shop/kube-root-ca.crt", func(ctx context.Context) (bool, error) {
		cm, err := s.admin.kube.CoreV1().ConfigMaps(attackNS).Get(ctx, "kube-root-ca.crt", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		rootCA = string(cm.UID)
		return true, nil
	})
	owner := `ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: kube-root-ca.crt, uid: ` + rootCA + `, controller: true}]`
	creates := []struct {
		as         whClients
		who        string
		kind, name string
		manifest   string
	}{
		{s.attacker, "edit", "Deployment", "sneaky", `apiVersion: apps/v1
kind: Deployment
metadata: {name: sneaky, namespace: shop, ` + owner + `}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: registry.k8s.io/pause:3.10}]}
`},
		{s.attacker, "edit", "CronJob", "sneaky", `apiVersion: batch/v1
kind: CronJob
metadata: {name: sneaky, namespace: shop, ` + owner + `}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: Never, containers: [{name: x, image: registry.k8s.io/pause:3.10}]}
`},
		// edit cannot write RoleBindings; admin in the namespace can.
		{s.nsAdmin, "admin", "RoleBinding", "sneaky", `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: sneaky, namespace: shop, ` + owner + `}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: eve}]
`},
	}
	for _, c := range creates {
		t.Run("create a "+c.kind+" owned by kube-root-ca.crt, as "+c.who, func(t *testing.T) {
			err := create(t, c.as, c.manifest)
			wantAttackDenied(t, "create", err, strings.ToLower(c.kind)+"/"+c.name+" in namespace shop")
			s.wantAbsent(t, c.kind, attackNS, c.name)
		})
	}
	t.Run("edit a Job owned by Git's CronJob", func(t *testing.T) {
		before := s.get(t, "Job", attackNS, "nightly-29000000")
		err := patch(t, s.attacker, "Job", attackNS, "nightly-29000000", types.MergePatchType,
			`{"metadata":{"labels":{"app":"web"}},"spec":{"suspend":false,"parallelism":5}}`)
		wantAttackDenied(t, "patch job", err, "job/nightly-29000000 in namespace shop")
		s.wantUnchanged(t, before)
	})
	t.Run("edit a Secret owned by a SealedSecret", func(t *testing.T) {
		before := s.get(t, "Secret", attackNS, "db")
		err := patch(t, s.attacker, "Secret", attackNS, "db", types.MergePatchType, `{"stringData":{"password":"mallory"}}`)
		wantAttackDenied(t, "patch secret", err, "secret/db in namespace shop")
		s.wantUnchanged(t, before)
	})
}

// TestAdmissionAttack5KindsNeverSent: in a managed namespace every kind and
// every subresource that changes an object reaches the webhook.
func TestAdmissionAttack5KindsNeverSent(t *testing.T) {
	s := newAttackSuite(t, func(t *testing.T, s *attackSuite) {
		s.waitServiceAccount(t, attackNS)
		mustCreate(t, s.admin, `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db-password","namespace":"shop"},"stringData":{"password":"s3cret"}}`)
		mustCreate(t, s.admin, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug-target","namespace":"shop"},`+
			`"spec":{"containers":[{"name":"main","image":"registry.k8s.io/pause:3.10"}]}}`)
		s.installCRD(t, crdManifest("attack.gitward.dev", "v1", "Widget", "widgets"), "Widget")
		// What a CRD's authors ship so that edit may write their kind.
		mustCreate(t, s.admin, `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"widgets-edit",`+
			`"labels":{"rbac.authorization.k8s.io/aggregate-to-edit":"true"}},`+
			`"rules":[{"apiGroups":["attack.gitward.dev"],"resources":["widgets"],"verbs":["*"]}]}`)
		waitFor(t, "ClusterRole edit to aggregate widgets", func(ctx context.Context) (bool, error) {
			edit, err := s.admin.kube.RbacV1().ClusterRoles().Get(ctx, "edit", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			for _, r := range edit.Rules {
				if len(r.APIGroups) == 1 && r.APIGroups[0] == "attack.gitward.dev" {
					return true, nil
				}
			}
			return false, nil
		})
	})
	podWith := func(name, extra string) string {
		return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"` + name + `","namespace":"shop","labels":{"app":"web"}},` +
			`"spec":{"containers":[{"name":"web","image":"registry.k8s.io/pause:3.10"` + extra + `}]` + volumes(extra) + `}}`
	}
	creates := []struct{ what, kind, name, manifest string }{
		{"a bare Pod labelled app=web (joins Service web)", "Pod", "intruder", podWith("intruder", "")},
		{"a Pod mounting a Secret", "Pod", "thief", podWith("thief", `,"volumeMounts":[{"name":"db","mountPath":"/db"}]`)},
		{"a ReplicaSet of app=web", "ReplicaSet", "rogue", `{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"rogue","namespace":"shop"},` +
			`"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},` +
			`"spec":{"containers":[{"name":"web","image":"registry.k8s.io/pause:3.10"}]}}}}`},
		{"a ReplicationController of app=web", "ReplicationController", "rogue", `{"apiVersion":"v1","kind":"ReplicationController",` +
			`"metadata":{"name":"rogue","namespace":"shop"},"spec":{"replicas":1,"selector":{"app":"web"},"template":{"metadata":{"labels":{"app":"web"}},` +
			`"spec":{"containers":[{"name":"web","image":"registry.k8s.io/pause:3.10"}]}}}}`},
		{"a custom resource", "Widget", "rogue", `{"apiVersion":"attack.gitward.dev/v1","kind":"Widget","metadata":{"name":"rogue","namespace":"shop"},"spec":{"size":3}}`},
	}
	for _, c := range creates {
		t.Run("create "+c.what, func(t *testing.T) {
			err := create(t, s.attacker, c.manifest)
			wantAttackDenied(t, "create", err, strings.ToLower(c.kind)+"/"+c.name+" in namespace shop")
			s.wantAbsent(t, c.kind, attackNS, c.name)
		})
	}
	t.Run("add an ephemeral container to a running Pod (kubectl debug)", func(t *testing.T) {
		before := s.get(t, "Pod", attackNS, "debug-target")
		err := patch(t, s.attacker, "Pod", attackNS, "debug-target", types.StrategicMergePatchType,
			`{"spec":{"ephemeralContainers":[{"name":"debugger","image":"busybox:1.36","stdin":true,"tty":true,"targetContainerName":"main"}]}}`,
			"ephemeralcontainers")
		wantAttackDenied(t, "pods/ephemeralcontainers", err, "pod/debug-target in namespace shop")
		s.wantUnchanged(t, before)
	})
}

// volumes is the volumes field a Pod needs for the volume mounts in extra.
func volumes(extra string) string {
	if !strings.Contains(extra, "volumeMounts") {
		return ""
	}
	return `,"volumes":[{"name":"db","secret":{"secretName":"db-password"}}]`
}

// TestAdmissionAttack6StatusSubresource: metadata written through /status is
// checked as an update of the object.
func TestAdmissionAttack6StatusSubresource(t *testing.T) {
	s := newAttackSuite(t)
	cm := s.get(t, "ConfigMap", attackNS, "settings")
	commit := func(c provenance.CommitID) string {
		return `{"metadata":{"annotations":{"` + provenance.AnnotationCommit + `":"` + string(c) + `"}}}`
	}
	writes := []struct{ what, patch, part string }{
		// Claims c2 for c1's content: c2's content is what it is checked against.
		{"rewrite the commit annotation to a later commit", commit(s.git.c2), "commit " + s.git.c2.Short()},
		// Claims the merged branch's commit, whose content is c1's.
		{"rewrite the commit annotation to a commit off the first-parent chain", commit(s.git.fork), provenance.AnnotationCommit},
		{"add a finalizer", `{"metadata":{"finalizers":["attack.gitward.dev/keep"]}}`, "finalizers"},
		{"add a controller ownerReference", fmt.Sprintf(`{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap",`+
			`"name":"settings","uid":%q,"controller":true}]}}`, cm.GetUID()), "ownerReferences"},
	}
	for _, w := range writes {
		t.Run(w.what+" through deployments/status", func(t *testing.T) {
			before := s.get(t, "Deployment", attackNS, "web")
			err := patch(t, s.status, "Deployment", attackNS, "web", types.MergePatchType, w.patch, "status")
			wantAttackDenied(t, "patch deployments/status", err, "deployment/web in namespace shop", w.part)
			s.wantUnchanged(t, before)
		})
	}
}

// TestAdmissionAttack7History: the request's commit must be on the branch's
// first-parent chain and descend from the live object's commit; an unknown
// live commit is not a pass.
func TestAdmissionAttack7History(t *testing.T) {
	s := newAttackSuite(t)
	t.Run("content of a merged branch's commit, older than the live one", func(t *testing.T) {
		// Live at c2; the branch forked from c1 (c1's content) was merged
		// after c2, so its commit is reachable from head.
		if err := s.apply(t, s.agent, s.git.c2, provenance.FieldManager, "ConfigMap/flags"); err != nil {
			t.Fatalf("the agent applies c2: %v", err)
		}
		before := s.get(t, "ConfigMap", attackNS, "flags")
		err := s.apply(t, s.attacker, s.git.fork, "kubectl", "ConfigMap/flags")
		wantAttackDenied(t, "apply at the merged branch's commit", err, "configmap/flags in namespace shop", s.git.fork.Short())
		s.wantUnchanged(t, before)
	})
	t.Run("a rollback when the live commit is unknown", func(t *testing.T) {
		if err := s.apply(t, s.agent, s.git.c2, provenance.FieldManager, "ConfigMap/release"); err != nil {
			t.Fatalf("the agent applies c2: %v", err)
		}
		// The live object names a commit the repository does not have
		// (rewritten away, or written by hand with break-glass).
		const unknown = "0123456789abcdef0123456789abcdef01234567"
		if err := patch(t, s.glass, "ConfigMap", attackNS, "release", types.MergePatchType,
			`{"metadata":{"annotations":{"`+provenance.AnnotationCommit+`":"`+unknown+`"}}}`); err != nil {
			t.Fatalf("break-glass sets an unknown commit: %v", err)
		}
		before := s.get(t, "ConfigMap", attackNS, "release")
		err := s.apply(t, s.attacker, s.git.c1, "kubectl", "ConfigMap/release")
		wantAttackDenied(t, "apply c1 over an unknown live commit", err, "configmap/release in namespace shop", s.git.c1.Short(), unknown[:7])
		s.wantUnchanged(t, before)
	})
}

// TestAdmissionAttack9FieldManager: the agent's field manager is the agent's
// alone, and the digest annotation must be Git's.
func TestAdmissionAttack9FieldManager(t *testing.T) {
	s := newAttackSuite(t)
	t.Run("apply Git's content at a later commit with the agent's field manager", func(t *testing.T) {
		before := s.get(t, "ConfigMap", attackNS, "limits")
		err := s.apply(t, s.attacker, s.git.c2, provenance.FieldManager, "ConfigMap/limits")
		wantAttackDenied(t, "apply --field-manager=gitward", err, "configmap/limits in namespace shop", `field manager "gitward"`, attackerUser)
		s.wantUnchanged(t, before)
	})
	t.Run("apply a changed field with the agent's field manager", func(t *testing.T) {
		before := s.get(t, "ConfigMap", attackNS, "limits")
		u := s.gitObject(t, s.git.c1, "ConfigMap", "limits")
		u.Object["data"] = map[string]any{"max": "99"}
		err := applyObject(t.Context(), s.attacker, u, provenance.FieldManager)
		wantAttackDenied(t, "apply --field-manager=gitward of a changed field", err, "configmap/limits in namespace shop")
		s.wantUnchanged(t, before)
	})
	t.Run("strip the agent's managed fields", func(t *testing.T) {
		before := s.get(t, "ConfigMap", attackNS, "limits")
		err := patch(t, s.attacker, "ConfigMap", attackNS, "limits", types.MergePatchType, `{"metadata":{"managedFields":[{}]}}`)
		wantAttackDenied(t, "patch managedFields", err, "configmap/limits in namespace shop", "metadata.managedFields")
		s.wantUnchanged(t, before)
		s.wantManager(t, "ConfigMap", attackNS, "limits", provenance.FieldManager)
	})
	t.Run("a digest annotation that is not Git's", func(t *testing.T) {
		before := s.get(t, "ConfigMap", attackNS, "limits")
		err := patch(t, s.attacker, "ConfigMap", attackNS, "limits", types.MergePatchType,
			`{"metadata":{"annotations":{"`+provenance.AnnotationDigest+`":"sha256:`+strings.Repeat("0", 64)+`"}}}`)
		wantAttackDenied(t, "patch the digest", err, "configmap/limits in namespace shop", provenance.AnnotationDigest)
		s.wantUnchanged(t, before)
	})
}

// TestAdmissionAttackLegitimateTraffic: in the same set-up, what must keep
// working does: the agent's applies at the previous commit and at head, a
// person's sync of Git's content with its own field manager, a rollout by
// the deployment controller, autoscaler-owned replicas through the ignore rule,
// garbage collection, namespace deletion, break-glass and warn mode.
func TestAdmissionAttackLegitimateTraffic(t *testing.T) {
	s := newAttackSuite(t)
	ctx := t.Context()
	t.Run("the agent applies the previous commit, then head", func(t *testing.T) {
		for _, c := range []provenance.CommitID{s.git.c2, s.git.merge} {
			if err := s.apply(t, s.agent, c, provenance.FieldManager, attackObjects...); err != nil {
				t.Fatalf("the agent applies %s: %v", c.Short(), err)
			}
		}
		if got := s.get(t, "ConfigMap", attackNS, "settings").GetAnnotations()[provenance.AnnotationCommit]; got != string(s.git.merge) {
			t.Errorf("settings at commit %s, want head %s", got, s.git.merge)
		}
	})
	t.Run("a person syncs Git's content at head with kubectl gitops' field manager", func(t *testing.T) {
		if err := s.apply(t, s.attacker, s.git.merge, "kubectl-gitops", "ConfigMap/settings", "Deployment/web"); err != nil {
			t.Errorf("kubectl gitops sync of head: %v", err)
		}
	})
	t.Run("the deployment controller rolls the new image out", func(t *testing.T) {
		waitFor(t, "web's rollout of "+attackV2.image, func(ctx context.Context) (bool, error) {
			d, err := s.admin.kube.AppsV1().Deployments(attackNS).Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			rs, err := s.admin.kube.AppsV1().ReplicaSets(attackNS).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
			if err != nil {
				return false, err
			}
			return d.Status.ObservedGeneration == d.Generation && d.Status.UpdatedReplicas == 1 && len(rs.Items) == 2, nil
		})
	})
	t.Run("an autoscaler scales the StatefulSet whose replicas the ignore rule leaves to it", func(t *testing.T) {
		if err := patch(t, s.scaler, "StatefulSet", attackNS, "queue", types.MergePatchType, `{"spec":{"replicas":3}}`, "scale"); err != nil {
			t.Fatalf("scale queue: %v", err)
		}
		if r, _, _ := unstructured.NestedInt64(s.get(t, "StatefulSet", attackNS, "queue").Object, "spec", "replicas"); r != 3 {
			t.Errorf("queue has %d replicas, want 3", r)
		}
		// Admitted by the ignore rule, not by an exemption: the webhook
		// decided it.
		if !hasLogLine(s.wh.logs.String(), `"msg":"decision"`, `"user":"`+scalerUser+`"`, `"action":"allowed"`) {
			t.Errorf("the webhook logged no admitted decision for %s", scalerUser)
		}
	})
	t.Run("garbage collection of what a deleted ReplicaSet owned", func(t *testing.T) {
		mustCreate(t, s.glass, `{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"scratch","namespace":"shop"},`+
			`"spec":{"replicas":1,"selector":{"matchLabels":{"app":"scratch"}},"template":{"metadata":{"labels":{"app":"scratch"}},`+
			`"spec":{"containers":[{"name":"c","image":"registry.k8s.io/pause:3.10"}]}}}}`)
		waitFor(t, "the Pod of ReplicaSet scratch", func(ctx context.Context) (bool, error) {
			pods, err := s.admin.kube.CoreV1().Pods(attackNS).List(ctx, metav1.ListOptions{LabelSelector: "app=scratch"})
			return err == nil && len(pods.Items) == 1, err
		})
		// Foreground: the garbage collector deletes the Pod, then updates
		// the ReplicaSet to drop its finalizer.
		if err := s.admin.kube.AppsV1().ReplicaSets(attackNS).Delete(ctx, "scratch",
			metav1.DeleteOptions{PropagationPolicy: ptrTo(metav1.DeletePropagationForeground)}); err != nil {
			t.Fatalf("delete ReplicaSet scratch: %v", err)
		}
		waitFor(t, "ReplicaSet scratch and its Pod to be gone", func(ctx context.Context) (bool, error) {
			pods, err := s.admin.kube.CoreV1().Pods(attackNS).List(ctx, metav1.ListOptions{LabelSelector: "app=scratch"})
			if err != nil {
				return false, err
			}
			_, err = s.admin.kube.AppsV1().ReplicaSets(attackNS).Get(ctx, "scratch", metav1.GetOptions{})
			return len(pods.Items) == 0 && apierrors.IsNotFound(err), nil
		})
	})
	t.Run("deleting a managed namespace with Git's objects in it", func(t *testing.T) {
		if err := s.admin.kube.CoreV1().Namespaces().Delete(ctx, attackTmpNS, metav1.DeleteOptions{}); err != nil {
			t.Fatalf("delete namespace %s: %v", attackTmpNS, err)
		}
		waitFor(t, "namespace "+attackTmpNS+" to be gone", func(ctx context.Context) (bool, error) {
			_, err := s.admin.kube.CoreV1().Namespaces().Get(ctx, attackTmpNS, metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		})
	})
	t.Run("break-glass is admitted with a warning", func(t *testing.T) {
		s.glass.warnings.take()
		if err := patch(t, s.glass, "ConfigMap", attackNS, "settings", types.MergePatchType, `{"data":{"color":"pink"}}`); err != nil {
			t.Fatalf("break-glass edit: %v", err)
		}
		if w := strings.Join(s.glass.warnings.take(), "\n"); !strings.Contains(w, "break-glass") {
			t.Errorf("warnings %q, want break-glass", w)
		}
		if err := s.apply(t, s.agent, s.git.merge, provenance.FieldManager, "ConfigMap/settings"); err != nil {
			t.Fatalf("the agent heals the drift: %v", err)
		}
	})
	t.Run("warn mode admits an attack with a warning", func(t *testing.T) {
		warn := s.startWebhook(t, "warn")
		registerWebhook(t, s.admin.kube, warn.url, warn.ca)
		s.waitDecided(t, warn, func(err error, w []string) bool {
			return err == nil && strings.Contains(strings.Join(w, "\n"), "warn mode")
		})
		s.attacker.warnings.take()
		if err := patch(t, s.attacker, "ConfigMap", attackNS, "settings", types.MergePatchType, `{"data":{"color":"pink"}}`); err != nil {
			t.Fatalf("warn mode denied: %v", err)
		}
		if w := strings.Join(s.attacker.warnings.take(), "\n"); !strings.Contains(w, "warn mode") || !strings.Contains(w, "pink") {
			t.Errorf("warnings %q, want warn mode naming the change", w)
		}
	})
}
