//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
	whcmd "github.com/gitward/gitward/webhook/cmd"
)

// The adversarial suite's namespaces and identities.
const (
	attackNS        = "shop"       // managed: gitward.dev/source=production
	attackTmpNS     = "shop-tmp"   // managed, deleted by the legitimate-traffic test
	unknownSourceNS = "playground" // labelled with a source the webhook does not track
	unknownSource   = "nope"

	attackerUser  = "mallory" // ClusterRole edit in shop and playground, and pods/ephemeralcontainers in shop
	nsAdminUser   = "trent"   // ClusterRole admin in shop (edit cannot write RoleBindings)
	statusWriter  = "status-writer"
	statusUser    = "system:serviceaccount:" + attackNS + ":" + statusWriter // update/patch deployments/status in shop
	autoscaler    = "autoscaler"
	scalerUser    = "system:serviceaccount:" + attackNS + ":" + autoscaler // an autoscaler that is no exempt controller (KEDA, say); edit in shop
	replicasRule  = "apps/StatefulSet:spec.replicas"                       // the webhook's ignore rule (HPA-owned replicas)
	gitwardDenial = "is managed by Git"
)

// attackGVR maps the kinds the suite writes to their resources.
var attackGVR = map[string]schema.GroupVersionResource{
	"Deployment":            {Group: "apps", Version: "v1", Resource: "deployments"},
	"StatefulSet":           {Group: "apps", Version: "v1", Resource: "statefulsets"},
	"ReplicaSet":            {Group: "apps", Version: "v1", Resource: "replicasets"},
	"ConfigMap":             {Version: "v1", Resource: "configmaps"},
	"ClusterRole":           {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"},
	"Secret":                {Version: "v1", Resource: "secrets"},
	"Service":               {Version: "v1", Resource: "services"},
	"Pod":                   {Version: "v1", Resource: "pods"},
	"ReplicationController": {Version: "v1", Resource: "replicationcontrollers"},
	"CronJob":               {Group: "batch", Version: "v1", Resource: "cronjobs"},
	"Job":                   {Group: "batch", Version: "v1", Resource: "jobs"},
	"RoleBinding":           {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"},
	"Widget":                {Group: "attack.gitward.dev", Version: "v1", Resource: "widgets"},
	"SealedSecret":          {Group: "bitnami.com", Version: "v1alpha1", Resource: "sealedsecrets"},
	"CustomResourceDefinition": {Group: "apiextensions.k8s.io", Version: "v1",
		Resource: "customresourcedefinitions"},
}

// attackSuite is one control plane set up as production: Git's objects
// applied by the agent at c1, the attackers' RoleBindings, gitward-webhook
// in enforce mode registered as the product registers it.
type attackSuite struct {
	cluster *localcluster.Cluster
	repo    *whRepo
	git     attackHistory
	wh      *whServer

	admin    whClients // cluster admin; not exempt, so denied like anyone
	agent    whClients // the agent's ServiceAccount (cluster-admin rights)
	glass    whClients // break-glass
	attacker whClients // mallory: ClusterRole edit
	nsAdmin  whClients // trent: ClusterRole admin in shop
	status   whClients // a ServiceAccount with deployments/status rights
	scaler   whClients // an autoscaler's ServiceAccount, not exempt: its scales reach the webhook
}

// attackSeed prepares something a test needs before the webhook is
// registered (so that the seeding itself is not a decision under test).
type attackSeed func(t *testing.T, s *attackSuite)

// newAttackSuite starts the control plane and sets production up. It runs
// seeds after Git's objects are applied, then starts and registers the
// webhook and waits until the API server calls it.
func newAttackSuite(t *testing.T, seeds ...attackSeed) *attackSuite {
	t.Helper()
	s := &attackSuite{cluster: localcluster.StartForTest(t, localcluster.Options{WebhookClientCert: true})}
	cfg := s.cluster.RESTConfig()
	s.admin = newClients(t, cfg, nil)
	s.agent = newClients(t, cfg, &rest.ImpersonationConfig{UserName: agentUser,
		Groups: []string{"system:masters", "system:serviceaccounts", "system:serviceaccounts:gitward-system", "system:authenticated"}})
	s.glass = newClients(t, cfg, &rest.ImpersonationConfig{UserName: "bob",
		Groups: []string{"system:masters", "gitward:break-glass", "system:authenticated"}})
	s.attacker = newClients(t, cfg, &rest.ImpersonationConfig{UserName: attackerUser, Groups: []string{"system:authenticated"}})
	s.nsAdmin = newClients(t, cfg, &rest.ImpersonationConfig{UserName: nsAdminUser, Groups: []string{"system:authenticated"}})
	s.status = newClients(t, cfg, &rest.ImpersonationConfig{UserName: statusUser})
	s.scaler = newClients(t, cfg, &rest.ImpersonationConfig{UserName: scalerUser})

	s.repo, s.git = newAttackRepo(t)
	s.createNamespaces(t)
	s.grantRoles(t)
	if err := s.apply(t, s.agent, s.git.c1, provenance.FieldManager, attackObjects...); err != nil {
		t.Fatalf("the agent applies c1: %v", err)
	}
	for _, d := range []string{"web", "idle"} {
		s.waitObserved(t, attackNS, d)
	}
	for _, seed := range seeds {
		seed(t, s)
	}
	s.wh = s.startWebhook(t, "enforce")
	s.register(t, s.wh)
	return s
}

// startWebhook starts gitward-webhook in mode as the product runs it: only
// the API server's client certificate may call it; the suite's ignore rule.
func (s *attackSuite) startWebhook(t *testing.T, mode string) *whServer {
	t.Helper()
	return startWebhook(t, s.cluster.Kubeconfig, gittest.FileURL(s.repo.bare), mode, requireAPIServerCert(s.cluster),
		func(o *whcmd.ServeOptions) { o.IgnoreRules = []string{replicasRule} })
}

// register registers wh as the product registers its webhook and waits until
// the API server sends requests to it.
func (s *attackSuite) register(t *testing.T, wh *whServer) {
	t.Helper()
	registerWebhook(t, s.admin.kube, wh.url, wh.ca)
	s.waitDecided(t, wh, func(err error, _ []string) bool { return err != nil && strings.Contains(err.Error(), gitwardDenial) })
}

// waitDecided polls a dry-run create of a ConfigMap Git does not declare in
// shop until done holds for its error and warnings. The API server picks a
// registration up within seconds; a minute means it never will.
func (s *attackSuite) waitDecided(t *testing.T, wh *whServer, done func(error, []string) bool) {
	t.Helper()
	var last error
	var lastWarnings []string
	err := wait.PollUntilContextTimeout(t.Context(), poll, time.Minute, true, func(ctx context.Context) (bool, error) {
		s.admin.warnings.take()
		_, last = s.admin.kube.CoreV1().ConfigMaps(attackNS).Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "registration-probe"}}, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		lastWarnings = s.admin.warnings.take()
		return done(last, lastWarnings), nil
	})
	if err != nil {
		t.Fatalf("the API server does not call the webhook at %s: a dry-run create in %s got error %v, warnings %q\nwebhook log:\n%s",
			wh.url, attackNS, last, lastWarnings, wh.logs)
	}
}

// createNamespaces creates shop and shop-tmp (managed by production) and
// playground (labelled with an unknown source).
func (s *attackSuite) createNamespaces(t *testing.T) {
	t.Helper()
	for ns, source := range map[string]string{attackNS: "production", attackTmpNS: "production", unknownSourceNS: unknownSource} {
		if _, err := s.admin.kube.CoreV1().Namespaces().Create(t.Context(),
			namespaceObj(ns, map[string]string{provenance.LabelSource: source}), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// grantRoles binds the attackers to the real built-in roles and gives the
// status writer and the scaler their rights.
func (s *attackSuite) grantRoles(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	rbac := s.admin.kube.RbacV1()
	for _, name := range []string{statusWriter, autoscaler} {
		if _, err := s.admin.kube.CoreV1().ServiceAccounts(attackNS).Create(ctx, &corev1.ServiceAccount{
			ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rbac.Roles(attackNS).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "deployment-status-writer"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"apps"}, Resources: []string{"deployments/status"},
			Verbs: []string{"get", "update", "patch"}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Neither edit nor admin may add ephemeral containers; kubectl debug
	// needs a grant of its own.
	if _, err := rbac.Roles(attackNS).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "pod-debugger"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods/ephemeralcontainers"},
			Verbs: []string{"get", "update", "patch"}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	user := func(name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
	}
	sa := func(ns, name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}
	}
	bindings := []struct {
		ns, name, kind, role string
		subject              rbacv1.Subject
	}{
		{attackNS, "mallory-edit", "ClusterRole", "edit", user(attackerUser)},
		{attackNS, "mallory-debug", "Role", "pod-debugger", user(attackerUser)},
		{unknownSourceNS, "mallory-edit", "ClusterRole", "edit", user(attackerUser)},
		{attackNS, "trent-admin", "ClusterRole", "admin", user(nsAdminUser)},
		{attackNS, "status-writer", "Role", "deployment-status-writer", sa(attackNS, statusWriter)},
		{attackNS, "autoscaler-edit", "ClusterRole", "edit", sa(attackNS, autoscaler)},
	}
	for _, b := range bindings {
		if _, err := rbac.RoleBindings(b.ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: b.name},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: b.kind, Name: b.role},
			Subjects: []rbacv1.Subject{b.subject}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// apply server-side applies Git's objects (kind/name) at commit c, stamped as
// the agent stamps them, as cl with field manager manager.
func (s *attackSuite) apply(t *testing.T, cl whClients, c provenance.CommitID, manager string, objs ...string) error {
	t.Helper()
	rendered := s.repo.render(t, c)
	for _, kn := range objs {
		kind, name, _ := strings.Cut(kn, "/")
		if err := applyObject(t.Context(), cl, find(t, rendered, kind, name), manager); err != nil {
			return err
		}
	}
	return nil
}

// gitObject returns Git's object kind/name at commit c, stamped.
func (s *attackSuite) gitObject(t *testing.T, c provenance.CommitID, kind, name string) *unstructured.Unstructured {
	t.Helper()
	return find(t, s.repo.render(t, c), kind, name)
}

// applyObject server-side applies u as cl with manager, forcing conflicts.
func applyObject(ctx context.Context, cl whClients, u *unstructured.Unstructured, manager string) error {
	body, err := json.Marshal(u.Object)
	if err != nil {
		return err
	}
	_, err = cl.dyn.Resource(attackGVR[u.GetKind()]).Namespace(u.GetNamespace()).Patch(ctx, u.GetName(),
		types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: manager, Force: ptrTo(true)})
	return err
}

// patch patches kind ns/name (or its subresource) as cl.
func patch(t *testing.T, cl whClients, kind, ns, name string, pt types.PatchType, body string, subresource ...string) error {
	t.Helper()
	_, err := cl.dyn.Resource(attackGVR[kind]).Namespace(ns).Patch(t.Context(), name, pt, []byte(body),
		metav1.PatchOptions{FieldManager: "kubectl-patch"}, subresource...)
	return err
}

// create creates the object written in YAML as cl.
func create(t *testing.T, cl whClients, manifest string) error {
	t.Helper()
	u := fromYAML(t, manifest)
	_, err := cl.dyn.Resource(attackGVR[u.GetKind()]).Namespace(u.GetNamespace()).Create(t.Context(), u,
		metav1.CreateOptions{FieldManager: "kubectl-create"})
	return err
}

// mustCreate creates the object written in YAML as cl and returns it.
func mustCreate(t *testing.T, cl whClients, manifest string) *unstructured.Unstructured {
	t.Helper()
	u := fromYAML(t, manifest)
	out, err := cl.dyn.Resource(attackGVR[u.GetKind()]).Namespace(u.GetNamespace()).Create(t.Context(), u, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create %s %s/%s: %v", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	return out
}

func fromYAML(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatalf("manifest: %v\n%s", err, manifest)
	}
	return u
}

// get returns the live object kind ns/name, read as the admin.
func (s *attackSuite) get(t *testing.T, kind, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := s.admin.dyn.Resource(attackGVR[kind]).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get %s %s/%s: %v", kind, ns, name, err)
	}
	return u
}

// content is what an attack may not change: the object without its status,
// resourceVersion and managedFields (which controllers keep writing).
func content(u *unstructured.Unstructured) map[string]any {
	c := u.DeepCopy().Object
	delete(c, "status")
	if md, ok := c["metadata"].(map[string]any); ok {
		delete(md, "resourceVersion")
		delete(md, "managedFields")
	}
	return c
}

// wantUnchanged fails unless the live object still has before's content,
// naming the fields the attack changed.
func (s *attackSuite) wantUnchanged(t *testing.T, before *unstructured.Unstructured) {
	t.Helper()
	kind, ns, name := before.GetKind(), before.GetNamespace(), before.GetName()
	after, err := s.admin.dyn.Resource(attackGVR[kind]).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		t.Errorf("%s %s/%s was deleted", kind, ns, name)
		return
	}
	if err != nil {
		t.Fatalf("get %s %s/%s: %v", kind, ns, name, err)
	}
	if diff := contentDiff("", content(before), content(after)); len(diff) > 0 {
		t.Errorf("%s %s/%s changed: %s", kind, ns, name, strings.Join(diff, "; "))
	}
}

// contentDiff lists the paths below prefix at which after differs from
// before, as "path: before -> after" (maps key by key, anything else whole).
func contentDiff(prefix string, before, after any) []string {
	bm, bok := before.(map[string]any)
	am, aok := after.(map[string]any)
	if bok && aok {
		keys := map[string]bool{}
		for k := range bm {
			keys[k] = true
		}
		for k := range am {
			keys[k] = true
		}
		sorted := slices.Sorted(maps.Keys(keys))
		var out []string
		for _, k := range sorted {
			out = append(out, contentDiff(strings.TrimPrefix(prefix+"."+k, "."), bm[k], am[k])...)
		}
		return out
	}
	if reflect.DeepEqual(before, after) {
		return nil
	}
	show := func(v any) string {
		if v == nil {
			return "(absent)"
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	return []string{prefix + ": " + show(before) + " -> " + show(after)}
}

// wantManager fails unless manager still applies fields of the live object.
func (s *attackSuite) wantManager(t *testing.T, kind, ns, name, manager string) {
	t.Helper()
	for _, m := range s.get(t, kind, ns, name).GetManagedFields() {
		if m.Manager == manager && m.Operation == metav1.ManagedFieldsOperationApply {
			return
		}
	}
	t.Errorf("%s %s/%s: field manager %q no longer applies fields", kind, ns, name, manager)
}

// wantAbsent fails unless kind ns/name does not exist.
func (s *attackSuite) wantAbsent(t *testing.T, kind, ns, name string) {
	t.Helper()
	_, err := s.admin.dyn.Resource(attackGVR[kind]).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("%s %s/%s exists after the attack (get: %v)", kind, ns, name, err)
	}
}

// installCRD creates a CustomResourceDefinition and waits until its kind is
// served.
func (s *attackSuite) installCRD(t *testing.T, manifest, kind string) {
	t.Helper()
	mustCreate(t, s.admin, manifest)
	gvr := attackGVR[kind]
	waitFor(t, "kind "+kind+" to be served", func(ctx context.Context) (bool, error) {
		_, err := s.admin.dyn.Resource(gvr).Namespace(attackNS).List(ctx, metav1.ListOptions{})
		return err == nil, err
	})
}

// crdManifest is a namespaced CustomResourceDefinition that keeps any field.
func crdManifest(group, version, kind, plural string) string {
	return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ` + plural + `.` + group + `
spec:
  group: ` + group + `
  names: {kind: ` + kind + `, plural: ` + plural + `, singular: ` + strings.ToLower(kind) + `, listKind: ` + kind + `List}
  scope: Namespaced
  versions:
    - name: ` + version + `
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`
}

// waitServiceAccount waits for the default ServiceAccount of ns, which
// creating a Pod needs.
func (s *attackSuite) waitServiceAccount(t *testing.T, ns string) {
	t.Helper()
	waitFor(t, "ServiceAccount "+ns+"/default", func(ctx context.Context) (bool, error) {
		_, err := s.admin.kube.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, err
	})
}

// wantAttackDenied is wantDenied, but an RBAC refusal fails the test as a
// set-up mistake rather than counting as the webhook's denial.
func wantAttackDenied(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if apierrors.IsForbidden(err) && !strings.Contains(err.Error(), "admission webhook") {
		t.Errorf("%s: refused by RBAC, not by gitward (the attacker lacks the rights the attack needs): %v", what, err)
		return
	}
	wantDenied(t, what, err, parts...)
}

// waitObserved waits until the deployment controller has observed Deployment
// ns/name (its revision annotation is set), so that a later read sees what
// only an attack would change.
func (s *attackSuite) waitObserved(t *testing.T, ns, name string) {
	t.Helper()
	waitFor(t, "deployment "+ns+"/"+name+" observed by its controller", func(ctx context.Context) (bool, error) {
		d, err := s.admin.kube.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return d.Status.ObservedGeneration == d.Generation && d.Annotations["deployment.kubernetes.io/revision"] != "", nil
	})
}
