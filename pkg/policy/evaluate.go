package policy

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"

	kyvernov1 "github.com/kyverno/kyverno/api/kyverno/v1"
	kyvernov2 "github.com/kyverno/kyverno/api/kyverno/v2"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/store"
	"github.com/kyverno/kyverno/pkg/cel/libs"
	"github.com/kyverno/kyverno/pkg/cel/matching"
	vpolcompiler "github.com/kyverno/kyverno/pkg/cel/policies/vpol/compiler"
	vpolengine "github.com/kyverno/kyverno/pkg/cel/policies/vpol/engine"
	"github.com/kyverno/kyverno/pkg/config"
	"github.com/kyverno/kyverno/pkg/engine"
	"github.com/kyverno/kyverno/pkg/engine/adapters"
	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	"github.com/kyverno/kyverno/pkg/engine/factories"
	"github.com/kyverno/kyverno/pkg/engine/jmespath"
	"github.com/kyverno/kyverno/pkg/engine/policycontext"
	"github.com/kyverno/kyverno/pkg/exceptions"
	imageverifycache "github.com/kyverno/kyverno/pkg/image/verification/cache"
	restmapperutils "github.com/kyverno/kyverno/pkg/utils/restmapper"
	"github.com/kyverno/sdk/extensions/registryclient"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
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

// Evaluate applies the set's policies to objects, one object at a time, the
// way `kyverno test` drives Kyverno's engine (the kyverno CLI's policy
// processor): for each object, the mutate rules of ClusterPolicies and
// Policies first, then their validate rules on the mutated object, then
// the CEL ValidatingPolicies, as a CREATE admission request. No cluster is
// contacted and no registry is accessed (context API calls and image
// verification fail as in `kyverno test` without --registry); generate
// rules are not evaluated. objects are not modified.
//
// A rule that does not match an object produces no result. An error of
// the engine on one object (not a rule error, which is a result) stops
// the evaluation and names the object. Objects are evaluated in parallel,
// one worker per CPU; results do not depend on the order.
func (s *Set) Evaluate(ctx context.Context, objects []*unstructured.Unstructured, o Options) (*Report, error) {
	rep := &Report{}
	if s.Len() == 0 || len(objects) == 0 {
		return rep, nil
	}
	ev, err := s.newEvaluator(o)
	if err != nil {
		return nil, err
	}
	perObject := make([][]Result, len(objects))
	errs := make([]error, len(objects))
	workers := min(runtime.GOMAXPROCS(0), len(objects))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				obj := objects[i]
				c := obj.DeepCopy()
				c.Object = floatNumbers(c.Object).(map[string]any)
				ers, err := ev.evaluate(ctx, c)
				if err != nil {
					errs[i] = fmt.Errorf("%w on %s: %w", ErrEvaluate, describe(obj), err)
					continue
				}
				perObject[i] = s.results(i, ers, o.AuditWarn)
			}
		})
	}
feed:
	for i := range objects {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, rs := range perObject {
		rep.Results = append(rep.Results, rs...)
	}
	sortResults(rep.Results)
	return rep, nil
}

// evaluator holds what every object of one evaluation shares: Kyverno's
// engine, the compiled CEL policies, the REST mapper.
type evaluator struct {
	set       *Set
	cfg       config.Configuration
	jp        jmespath.Interface
	engine    engineapi.Engine
	vpol      vpolengine.Engine
	celCtx    libs.Context
	mapper    meta.RESTMapper
	nsLabels  map[string]map[string]string
	hasMutate bool
	kinds     []kindFilter // kinds[i] for set.policies[i]
}

func (s *Set) newEvaluator(o Options) (*evaluator, error) {
	cfg := config.NewDefaultConfiguration(false)
	jp := jmespath.New(cfg)
	// The kyverno CLI's local store: no API calls, no registry access.
	st := &store.Store{}
	st.SetLocal(true)
	st.SetRegistryAccess(false)
	st.AllowApiCall(false)
	isCluster := false
	ev := &evaluator{
		set: s, cfg: cfg, jp: jp, nsLabels: o.NamespaceLabels,
		engine: engine.NewEngine(
			cfg,
			jp,
			nil,
			factories.DefaultRegistryClientFactory(adapters.RegistryClient(registryclient.New()), nil),
			imageverifycache.DisabledImageVerifyCache(),
			store.ContextLoaderFactory(st, nil),
			exceptions.New(exceptionLister(s.exceptions)),
			&isCluster,
		),
	}
	for _, p := range s.policies {
		if p.GetSpec().HasMutate() {
			ev.hasMutate = true
		}
		ev.kinds = append(ev.kinds, kindsOf(p))
	}
	if len(s.vpols) > 0 {
		provider, err := vpolengine.NewProvider(vpolcompiler.NewCompiler(), s.vpols, s.celExceptions)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrEvaluate, err)
		}
		ev.vpol = vpolengine.NewEngine(provider, ev.namespace, matching.NewMatcher())
		ev.celCtx = libs.NewFakeContextProvider()
		mapper, err := restmapperutils.GetRESTMapper(nil)
		if err != nil {
			return nil, fmt.Errorf("%w: REST mapper: %w", ErrEvaluate, err)
		}
		ev.mapper = mapper
	}
	return ev, nil
}

// namespace resolves a namespace for CEL policies from Options.NamespaceLabels.
func (ev *evaluator) namespace(name string) *corev1.Namespace {
	l, ok := ev.nsLabels[name]
	if !ok {
		return nil
	}
	return &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l},
	}
}

func (ev *evaluator) evaluate(ctx context.Context, resource *unstructured.Unstructured) ([]engineapi.EngineResponse, error) {
	var out []engineapi.EngineResponse
	res := *resource
	nsLabels := ev.nsLabels[res.GetNamespace()]
	if ev.hasMutate {
		for i, p := range ev.set.policies {
			if !p.GetSpec().HasMutate() || !ev.kinds[i].mayMatch(res.GetKind()) {
				continue
			}
			pc, err := ev.policyContext(res, p, nsLabels)
			if err != nil {
				return nil, err
			}
			r := ev.engine.Mutate(ctx, pc)
			out = append(out, r)
			res = r.PatchedResource
		}
	}
	for i, p := range ev.set.policies {
		if !hasValidate(p) || !ev.kinds[i].mayMatch(res.GetKind()) {
			continue
		}
		pc, err := ev.policyContext(res, p, nsLabels)
		if err != nil {
			return nil, err
		}
		r := ev.engine.Validate(ctx, pc)
		out = append(out, r)
		res = r.PatchedResource
	}
	if ev.vpol != nil {
		rs, err := ev.validateCEL(ctx, &res)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// policyContext is the CLI processor's makePolicyContext for a CREATE
// request without values.
func (ev *evaluator) policyContext(res unstructured.Unstructured, p kyvernov1.PolicyInterface, nsLabels map[string]string) (*policycontext.PolicyContext, error) {
	pc, err := policycontext.NewPolicyContext(ev.jp, res, kyvernov1.Create, nil, ev.cfg)
	if err != nil {
		return nil, fmt.Errorf("policy context: %w", err)
	}
	pc = pc.WithPolicy(p).WithNamespaceLabels(nsLabels).WithResourceKind(res.GroupVersionKind(), "")
	if err := pc.JSONContext().AddVariable("request.operation", "CREATE"); err != nil {
		return nil, fmt.Errorf("policy context: %w", err)
	}
	return pc, nil
}

// hasValidate is the CLI processor's policyHasValidateOrVerifyImageChecks.
func hasValidate(p kyvernov1.PolicyInterface) bool {
	for _, rule := range p.GetSpec().Rules {
		if rule.HasValidate() || rule.HasVerifyImageChecks() {
			return true
		}
	}
	return false
}

// exceptionLister lists PolicyExceptions, as the CLI processor's does.
type exceptionLister []*kyvernov2.PolicyException

func (l exceptionLister) List(selector labels.Selector) ([]*kyvernov2.PolicyException, error) {
	var out []*kyvernov2.PolicyException
	for _, e := range l {
		if selector.Matches(labels.Set(e.GetLabels())) {
			out = append(out, e)
		}
	}
	return out, nil
}

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

var _ exceptions.Lister = exceptionLister(nil)
