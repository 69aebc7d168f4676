package policy

import (
	"strings"

	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	"github.com/kyverno/kyverno/pkg/openreports"
	reportutils "github.com/kyverno/kyverno/pkg/utils/report"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// results converts the engine's responses for the object at index i into
// Results, through Kyverno's own PolicyReport conversion (the kyverno CLI's
// report.ComputePolicyReportResult, which `kyverno test` compares with).
func (s *Set) results(i int, ers []engineapi.EngineResponse, auditWarn bool) []Result {
	var out []Result
	for _, er := range ers {
		pol := er.Policy()
		if pol == nil {
			continue
		}
		kind := pol.GetKind()
		key := pol.GetName()
		if ns := pol.GetNamespace(); ns != "" {
			key = ns + "/" + key
		}
		obj := objectOf(er.Resource)
		ref := &corev1.ObjectReference{
			Kind: obj.Kind, Name: obj.Name, Namespace: obj.Namespace, APIVersion: obj.APIVersion,
			UID: er.Resource.GetUID(), ResourceVersion: er.Resource.GetResourceVersion(),
		}
		for _, rule := range er.PolicyResponse.Rules {
			pr := reportutils.ToPolicyReportResult(pol, rule, ref)
			if pr.Result == openreports.StatusFail && auditWarn && er.GetValidationFailureAction().Audit() {
				pr.Result = openreports.StatusWarn
			}
			out = append(out, Result{
				Policy:      pr.Policy,
				PolicyKind:  kind,
				PolicyFile:  s.fileOf(kind, key),
				Rule:        pr.Rule,
				RuleType:    string(rule.RuleType()),
				Object:      obj,
				ObjectIndex: i,
				Status:      Status(pr.Result),
				Message:     pr.Description,
				Source:      pr.Source,
				Severity:    string(pr.Severity),
				Category:    pr.Category,
				Scored:      pr.Scored,
				Properties:  pr.Properties,
			})
		}
	}
	return out
}

func objectOf(u unstructured.Unstructured) Object {
	return Object{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
}

func describe(u *unstructured.Unstructured) string { return objectOf(*u).String() }

func cutSlash(s string) (string, string, bool) { return strings.Cut(s, "/") }

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
