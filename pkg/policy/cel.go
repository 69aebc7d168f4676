package policy

import (
	"context"
	"fmt"

	celengine "github.com/kyverno/kyverno/pkg/cel/engine"
	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// validateCEL evaluates the CEL ValidatingPolicies on one object as a
// CREATE admission request, as the kyverno CLI's processor does.
func (ev *evaluator) validateCEL(ctx context.Context, res *unstructured.Unstructured) ([]engineapi.EngineResponse, error) {
	gvk := res.GroupVersionKind()
	gvr, err := ev.resource(gvk)
	if err != nil {
		return nil, err
	}
	req := celengine.Request(ev.celCtx, gvk, gvr, "", res.GetName(), res.GetNamespace(),
		admissionv1.Create, authenticationv1.UserInfo{}, res, nil, false, nil)
	resp, err := ev.vpol.Handle(ctx, req, nil)
	if err != nil {
		return nil, fmt.Errorf("validating policies: %w", err)
	}
	var out []engineapi.EngineResponse
	for _, r := range resp.Policies {
		if len(r.Rules) == 0 {
			continue // not matched: no result, as in `kyverno test`
		}
		er := engineapi.EngineResponse{
			Resource:       *resp.Resource,
			PolicyResponse: engineapi.PolicyResponse{Rules: r.Rules},
		}
		out = append(out, er.WithPolicy(engineapi.NewValidatingPolicyFromLike(r.Policy)))
	}
	return out, nil
}

// resource maps a kind to its resource with the kyverno CLI's REST mapper;
// an unknown kind falls back to the guessed plural and then to the
// resources the policies name, as the CLI does without a cluster.
func (ev *evaluator) resource(gvk schema.GroupVersionKind) (schema.GroupVersionResource, error) {
	if m, err := ev.mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err == nil {
		return m.Resource, nil
	}
	gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version}
	if guessed, _ := meta.UnsafeGuessKindToResource(schema.GroupVersionKind{Kind: gvk.Kind}); guessed.Resource != "" {
		gvr.Resource = guessed.Resource
		return gvr, nil
	}
	for _, vp := range ev.set.vpols {
		if r := resourceNamed(vp.GetSpec().MatchConstraints, gvk.Kind); r != "" {
			gvr.Resource = r
			return gvr, nil
		}
	}
	return gvr, fmt.Errorf("no resource for %s", gvk)
}

func resourceNamed(mc *admissionregistrationv1.MatchResources, kind string) string {
	if mc == nil {
		return ""
	}
	for _, rr := range mc.ResourceRules {
		for _, r := range rr.Resources {
			if base, _, _ := cutSlash(r); equalFold(base, kind) {
				return base
			}
		}
	}
	return ""
}
