package admitscope

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitward/gitward/pkg/provenance"
)

// PolicyName names the ValidatingAdmissionPolicy floor and its binding.
const PolicyName = "gitward-commit-annotation"

// The floor's one check, unchanged from the hand-written manifests/vap: a
// labelled object carries a well-formed commit annotation. It cannot tell
// whether the content is what Git says; it is the floor for clusters that
// run no webhook, and defence in depth for those that do.
const (
	commitAnnotationExpression = "has(object.metadata.annotations) &&\n" +
		"'" + provenance.AnnotationCommit + "' in object.metadata.annotations &&\n" +
		"object.metadata.annotations['" + provenance.AnnotationCommit + "'].matches('^[0-9a-f]{40}([0-9a-f]{24})?$')"
	commitAnnotationMessage = "object.kind.lowerAscii() + '/' + object.metadata.name +\n" +
		"' carries the " + provenance.LabelSource + " label, so it must carry annotation " + provenance.AnnotationCommit +
		" with a full commit id ' +\n" +
		"'(40 or 64 lowercase hex digits). Change it through Git.'"
)

// Policy returns the ValidatingAdmissionPolicy floor: the same scope as the
// webhooks (every kind and subresource, the same exempt identities and
// never-sent resources, through the same matchConditions) restricted to
// objects that carry the source label, for CREATE and UPDATE (a DELETE has
// no object to check).
func Policy() *admissionregistrationv1.ValidatingAdmissionPolicy {
	return &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: PolicyName},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr(admissionregistrationv1.Fail),
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ObjectSelector: selector(exists(provenance.LabelSource)),
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
						Rule: admissionregistrationv1.Rule{
							APIGroups: []string{"*"}, APIVersions: []string{"*"},
							Resources: []string{"*/*"},
							Scope:     ptr(admissionregistrationv1.AllScopes),
						},
					},
				}},
			},
			MatchConditions: MatchConditions(),
			Validations: []admissionregistrationv1.Validation{{
				Expression:        commitAnnotationExpression,
				Reason:            ptr(metav1.StatusReasonForbidden),
				MessageExpression: commitAnnotationMessage,
			}},
		},
	}
}

// PolicyBinding binds Policy everywhere but the excluded namespaces, the
// same namespaces the webhooks never receive.
func PolicyBinding() *admissionregistrationv1.ValidatingAdmissionPolicyBinding {
	return &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicyBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: PolicyName},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        PolicyName,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
			MatchResources:    &admissionregistrationv1.MatchResources{NamespaceSelector: selector(notExcluded())},
		},
	}
}
