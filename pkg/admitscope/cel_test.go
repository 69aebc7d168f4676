package admitscope

import (
	"context"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/cel/environment"
)

// celMatcher compiles conditions as kube-apiserver compiles a webhook's
// matchConditions (k8s.io/apiserver/pkg/admission/plugin/webhook: the base
// environment of this Kubernetes version, stored expressions, the
// authorizer variable declared) and fails on a compile error.
func celMatcher(t *testing.T, conditions []admissionregistrationv1.MatchCondition) matchconditions.Matcher {
	t.Helper()
	compiler := plugincel.NewConditionCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	accessors := make([]plugincel.ExpressionAccessor, len(conditions))
	for i, c := range conditions {
		accessors[i] = &matchconditions.MatchCondition{Name: c.Name, Expression: c.Expression}
	}
	evaluator := compiler.CompileCondition(accessors, plugincel.OptionalVariableDeclarations{HasAuthorizer: true}, environment.StoredExpressions)
	if cc, ok := evaluator.(interface {
		CompilationErrors() []error
	}); ok {
		for _, err := range cc.CompilationErrors() {
			t.Fatalf("compile: %v", err)
		}
	}
	return matchconditions.NewMatcher(evaluator, ptr(admissionregistrationv1.Fail), "webhook", "validating", "test")
}

// celRequest is what a matcher sees.
type celRequest struct {
	user                 user.Info
	group, resource, sub string
	namespace            string
	operation            admission.Operation
}

func (r celRequest) attributes() *admission.VersionedAttributes {
	gvr := schema.GroupVersionResource{Group: r.group, Version: "v1", Resource: r.resource}
	obj := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: r.namespace}}
	op := r.operation
	if op == "" {
		op = admission.Create
	}
	attr := admission.NewAttributesRecord(obj, nil, gvr.GroupVersion().WithKind("Any"), r.namespace, "x", gvr, r.sub,
		op, nil, false, r.user)
	return &admission.VersionedAttributes{Attributes: attr, VersionedKind: gvr.GroupVersion().WithKind("Any"),
		VersionedObject: runtime.Object(obj)}
}

// match runs m on r and fails on an evaluation error: under failurePolicy
// Fail an error rejects the request, so the conditions must never err.
func match(t *testing.T, m matchconditions.Matcher, r celRequest) (bool, string) {
	t.Helper()
	res := m.Match(context.Background(), r.attributes(), nil, nil)
	if res.Error != nil {
		t.Fatalf("%+v: evaluation error (would reject the request): %v", r, res.Error)
	}
	return res.Matches, res.FailedConditionName
}

func person(name string, groups ...string) user.Info {
	return &user.DefaultInfo{Name: name, Groups: groups}
}

func TestMatchConditionsExemptExactlyTheGoDefinition(t *testing.T) {
	m := celMatcher(t, MatchConditions())
	for _, u := range ExemptUsers() {
		if ok, cond := match(t, m, celRequest{user: person(u, "system:authenticated"), resource: "configmaps"}); ok || cond != ConditionNotExemptUser {
			t.Errorf("%s: sent (%v, %q), want kept away by %s", u, ok, cond, ConditionNotExemptUser)
		}
		if !IsExempt(u, nil) {
			t.Errorf("%s: IsExempt false", u)
		}
	}
	for _, g := range ExemptGroups() {
		if ok, cond := match(t, m, celRequest{user: person("system:node:worker-1", g), resource: "pods", sub: "status"}); ok || cond != ConditionNotExemptGroup {
			t.Errorf("group %s: sent (%v, %q), want kept away by %s", g, ok, cond, ConditionNotExemptGroup)
		}
	}
	// Names the old patterns exempted, and look-alikes: all sent, and not
	// exempt in Go either.
	for _, u := range []string{
		"system:serviceaccount:kube-system:evil-controller",
		"system:serviceaccount:kube-system:deployment-controller-2",
		"system:serviceaccount:shop:deployment-controller",
		"system:node:worker-1", // without the group: not a node to the node authorizer
		"system:kube-controller-manager ",
		"alice",
		"",
	} {
		if ok, cond := match(t, m, celRequest{user: person(u, "system:authenticated"), resource: "configmaps"}); !ok {
			t.Errorf("%q: kept away by %s, want sent", u, cond)
		}
		if IsExempt(u, []string{"system:authenticated"}) {
			t.Errorf("%q: IsExempt true", u)
		}
	}
	if ok, _ := match(t, m, celRequest{user: &user.DefaultInfo{}, resource: "configmaps"}); !ok {
		t.Error("a request without username or groups is kept away")
	}
}

func TestMatchConditionsKeepNeverSentResourcesAway(t *testing.T) {
	m := celMatcher(t, MatchConditions())
	alice := person("alice", "system:authenticated")
	for _, r := range NeverSent() {
		if ok, cond := match(t, m, celRequest{user: alice, group: r.Group, resource: r.Resource, sub: r.Subresource}); ok || cond != ConditionNotNeverSent {
			t.Errorf("%s: sent (%v, %q), want kept away", r, ok, cond)
		}
	}
	for _, r := range []celRequest{
		{group: "", resource: "pods"},
		{group: "", resource: "pods", sub: "ephemeralcontainers", operation: admission.Update},
		{group: "", resource: "pods", sub: "eviction"},
		{group: "", resource: "serviceaccounts"},
		{group: "apps", resource: "deployments", sub: "scale", operation: admission.Update},
		{group: "apps", resource: "deployments", sub: "status", operation: admission.Update},
		{group: "batch", resource: "cronjobs"},
		{group: "argoproj.io", resource: "rollouts"},
		{group: "cert-manager.io", resource: "certificates"},
		{group: "coordination.k8s.io", resource: "leasecandidates"},
		{group: "example.com", resource: "events"}, // a custom resource named events
		{group: "", resource: "leases"},
	} {
		r.user = alice
		if ok, cond := match(t, m, r); !ok {
			t.Errorf("%s/%s/%s: kept away by %s, want sent", r.group, r.resource, r.sub, cond)
		}
		if IsNeverSent(r.group, r.resource, r.sub) {
			t.Errorf("%s/%s/%s: IsNeverSent true", r.group, r.resource, r.sub)
		}
	}
}

func TestEveryWebhookAndThePolicyCompile(t *testing.T) {
	for _, w := range Webhooks() {
		t.Run(w.ShortName, func(t *testing.T) {
			m := celMatcher(t, w.MatchConditions)
			ok, cond := match(t, m, celRequest{user: person("alice"), resource: "namespaces"})
			if want := w.ShortName != LabelledObjects; ok != want {
				t.Errorf("a Namespace: sent %v (%s), want %v: only the namespaces webhook receives Namespaces", ok, cond, want)
			}
		})
	}
	celMatcher(t, Policy().Spec.MatchConditions)
}
