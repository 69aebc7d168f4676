package vap_test

import (
	"context"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/gitward/gitward/pkg/render"
)

func TestPolicy(t *testing.T) {
	res, err := render.Dir(context.Background(), "../..", "manifests/vap", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var policy *admissionregistrationv1.ValidatingAdmissionPolicy
	var binding *admissionregistrationv1.ValidatingAdmissionPolicyBinding
	for _, o := range res.Objects {
		switch o.GetKind() {
		case "ValidatingAdmissionPolicy":
			policy = new(admissionregistrationv1.ValidatingAdmissionPolicy)
			err = runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(o.Object, policy, true)
		case "ValidatingAdmissionPolicyBinding":
			binding = new(admissionregistrationv1.ValidatingAdmissionPolicyBinding)
			err = runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(o.Object, binding, true)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if policy == nil || binding == nil || binding.Spec.PolicyName != policy.Name {
		t.Fatal("policy and binding missing or unbound")
	}
	if len(policy.Spec.Validations) != 1 || !strings.Contains(policy.Spec.Validations[0].Expression, "gitward.dev/commit") {
		t.Errorf("validations: %+v", policy.Spec.Validations)
	}
	if policy.Spec.MatchConstraints.ObjectSelector.MatchExpressions[0].Key != "gitward.dev/source" {
		t.Error("the policy is not restricted to objects carrying the source label")
	}
}
