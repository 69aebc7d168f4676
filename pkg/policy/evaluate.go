package policy

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"sort"

	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/apis/v1alpha1"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/processor"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/report"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/store"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/variables"
	"github.com/kyverno/kyverno/ext/cluster"
	"github.com/kyverno/kyverno/pkg/clients/dclient"
	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	restmapperutils "github.com/kyverno/kyverno/pkg/utils/restmapper"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Options tune an evaluation.
type Options struct {
	// NamespaceLabels are the labels of the namespaces the objects live
	// in, by namespace name, for policies with a namespaceSelector (the
	// `namespaceSelector` of a kyverno values file).
	NamespaceLabels map[string]map[string]string
	// AuditWarn reports failures of policies in Audit mode as warn, like
	// `kyverno apply --audit-warn`.
	AuditWarn bool
}

// Evaluate applies the set's policies to objects, one object at a time, as
// `kyverno test` does: mutate rules first, then image verification, then
// validation, then the CEL and admission policies; no cluster is
// contacted and no registry is accessed. objects are not modified.
//
// A rule that does not match an object produces no result. An error of the
// engine on one object (not a rule error, which is a result) stops the
// evaluation and names the object.
func (s *Set) Evaluate(ctx context.Context, objects []*unstructured.Unstructured, o Options) (*Report, error) {
	rep := &Report{}
	if s.Len() == 0 || len(objects) == 0 {
		return rep, nil
	}
	copies := make([]*unstructured.Unstructured, len(objects))
	all := make([]runtime.Object, len(objects))
	for i, obj := range objects {
		c := obj.DeepCopy()
		c.Object = floatNumbers(c.Object).(map[string]any)
		copies[i], all[i] = c, c
	}
	env, err := newEnvironment(all, o)
	if err != nil {
		return nil, err
	}
	for i, obj := range copies {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pp := s.processor(env, obj)
		ers, err := pp.ApplyPoliciesOnResource()
		if err != nil {
			return nil, fmt.Errorf("%w on %s: %w", ErrEvaluate, describe(obj), err)
		}
		rep.Results = append(rep.Results, s.results(i, ers, o.AuditWarn)...)
	}
	sortResults(rep.Results)
	return rep, nil
}

// environment is what every object of one evaluation shares: the fake
// cluster holding all objects, its REST mapper, the CLI's store and values.
type environment struct {
	client     dclient.Interface
	restMapper meta.RESTMapper
	store      *store.Store
	vars       *variables.Variables
}

func newEnvironment(all []runtime.Object, o Options) (*environment, error) {
	// The same fake cluster `kyverno test` builds from its resources.
	client, err := cluster.NewFake().DClient(all)
	if err != nil {
		client, err = dclient.NewFakeClient(runtime.NewScheme(), map[schema.GroupVersionResource]string{})
		if err != nil {
			return nil, fmt.Errorf("%w: fake cluster: %w", ErrEvaluate, err)
		}
		client.SetDiscovery(dclient.NewFakeDiscoveryClient(nil))
	}
	mapper, err := restmapperutils.GetRESTMapper(client)
	if err != nil {
		return nil, fmt.Errorf("%w: REST mapper: %w", ErrEvaluate, err)
	}
	vals := &v1alpha1.ValuesSpec{}
	names := make([]string, 0, len(o.NamespaceLabels))
	for ns := range o.NamespaceLabels {
		names = append(names, ns)
	}
	sort.Strings(names)
	for _, ns := range names {
		vals.NamespaceSelectors = append(vals.NamespaceSelectors, v1alpha1.NamespaceSelector{Name: ns, Labels: o.NamespaceLabels[ns]})
	}
	vars, err := variables.New(io.Discard, nil, "", "", vals)
	if err != nil {
		return nil, fmt.Errorf("%w: values: %w", ErrEvaluate, err)
	}
	st := &store.Store{}
	st.SetLocal(true)
	st.SetRegistryAccess(false)
	st.AllowApiCall(false)
	return &environment{client: client, restMapper: mapper, store: st, vars: vars}, nil
}

func (s *Set) processor(env *environment, obj *unstructured.Unstructured) *processor.PolicyProcessor {
	return &processor.PolicyProcessor{
		Store:                             env.store,
		Policies:                          s.policies,
		ValidatingAdmissionPolicies:       s.vaps,
		ValidatingAdmissionPolicyBindings: s.vapBindings,
		ValidatingPolicies:                s.vpols,
		MutatingPolicies:                  s.mpols,
		MutatingAdmissionPolicies:         s.maps,
		MutatingAdmissionPolicyBindings:   s.mapBindings,
		Resource:                          *obj,
		PolicyExceptions:                  s.exceptions,
		CELExceptions:                     s.celExceptions,
		Variables:                         env.vars,
		PolicyReport:                      true,
		NamespaceSelectorMap:              env.vars.NamespaceSelectors(),
		Rc:                                &processor.ResultCounts{},
		RuleToCloneSourceResource:         map[string]string{},
		Client:                            env.client,
		Subresources:                      env.vars.Subresources(),
		Out:                               io.Discard,
		RESTMapper:                        env.restMapper,
	}
}

// results converts the engine's responses for the object at index i into
// Results, through the CLI's own PolicyReport conversion.
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
		for _, rule := range er.PolicyResponse.Rules {
			pr := report.ComputePolicyReportResult(auditWarn, er, rule)
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

// floatNumbers turns every number into a float64, as `kyverno test` does
// to the resources it reads before evaluating them (ProcessResources in
// cmd/cli/kubectl-kyverno/commands/test), so that comparisons in patterns
// and JMESPath behave the same.
func floatNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = floatNumbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = floatNumbers(e)
		}
		return x
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	default:
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer && !rv.IsNil() {
			return floatNumbers(rv.Elem().Interface())
		}
		return v
	}
}
