package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	policiesv1beta1 "github.com/kyverno/api/api/policies.kyverno.io/v1beta1"
	kyvernov1 "github.com/kyverno/kyverno/api/kyverno/v1"
	kyvernov2 "github.com/kyverno/kyverno/api/kyverno/v2"
	"github.com/kyverno/kyverno/ext/resource/convert"
	"github.com/kyverno/kyverno/pkg/config"
	policyvalidation "github.com/kyverno/kyverno/pkg/validation/policy"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Load reads the policies in fsys at the given slash paths. A path may name
// a file or a folder; a folder is walked recursively for .yaml, .yml and
// .json files, skipping names that start with a dot, as the kyverno CLI
// does. A missing path is an error naming it.
func Load(fsys fs.FS, paths ...string) (*Set, error) {
	set := &Set{}
	for _, p := range paths {
		p = path.Clean(strings.TrimPrefix(p, "./"))
		err := fs.WalkDir(fsys, p, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if name != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !isPolicyFile(name) {
				return nil
			}
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return err
			}
			s, err := Parse(name, data)
			if err != nil {
				return err
			}
			set.Merge(s)
			return nil
		})
		if err != nil {
			if errors.Is(err, ErrLoad) {
				return nil, err
			}
			return nil, fmt.Errorf("%w from %s: %w", ErrLoad, p, err)
		}
	}
	return set, nil
}

func isPolicyFile(name string) bool {
	switch path.Ext(name) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// The kinds Parse reads, by group and kind (every served version decodes
// into the same Go type, as in the kyverno CLI's loader).
var (
	gkClusterPolicy     = schema.GroupKind{Group: "kyverno.io", Kind: "ClusterPolicy"}
	gkPolicy            = schema.GroupKind{Group: "kyverno.io", Kind: "Policy"}
	gkException         = schema.GroupKind{Group: "kyverno.io", Kind: "PolicyException"}
	gkValidatingPolicy  = schema.GroupKind{Group: "policies.kyverno.io", Kind: "ValidatingPolicy"}
	gkNSValidatingPol   = schema.GroupKind{Group: "policies.kyverno.io", Kind: "NamespacedValidatingPolicy"}
	gkCELException      = schema.GroupKind{Group: "policies.kyverno.io", Kind: "PolicyException"}
	policyGroups        = map[string]bool{"kyverno.io": true, "policies.kyverno.io": true, "admissionregistration.k8s.io": true}
	serviceAccountUser  = config.KyvernoUserName(config.KyvernoServiceAccountName())
	errUnsupportedInput = errors.New("not a Kubernetes object")
)

// Parse reads the policies in one file's content; file names the file in
// errors, warnings and results. A policy with an unknown field, or that
// does not decode, is an error, as in the kyverno CLI; documents of other
// kinds (a Kustomization, a kyverno-test.yaml, a Deployment) and policy
// kinds this package does not evaluate become warnings.
func Parse(file string, data []byte) (*Set, error) {
	set := &Set{}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for n := 1; ; n++ {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			if err == io.EOF {
				break
			}
			return nil, fmt.Errorf("%w from %s: document %d: %w", ErrLoad, file, n, err)
		}
		if len(obj) == 0 {
			continue
		}
		if err := set.parseObject(file, &unstructured.Unstructured{Object: obj}); err != nil {
			return nil, fmt.Errorf("%w from %s: document %d: %w", ErrLoad, file, n, err)
		}
	}
	return set, nil
}

func (s *Set) parseObject(file string, u *unstructured.Unstructured) error {
	gvk := u.GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" {
		s.warnings = append(s.warnings, Warning{File: file, Message: fmt.Sprintf("skipped a document: %v (no apiVersion or kind)", errUnsupportedInput)})
		return nil
	}
	info := Info{Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName(), File: file}
	switch gvk.GroupKind() {
	case gkClusterPolicy:
		p, err := convert.To[kyvernov1.ClusterPolicy](*u)
		if err != nil {
			return fmt.Errorf("ClusterPolicy %s: %w", u.GetName(), err)
		}
		s.addKyverno(p, info)
	case gkPolicy:
		p, err := convert.To[kyvernov1.Policy](*u)
		if err != nil {
			return fmt.Errorf("Policy %s: %w", info.Key(), err)
		}
		s.addKyverno(p, info)
	case gkException:
		e, err := convert.To[kyvernov2.PolicyException](*u)
		if err != nil {
			return fmt.Errorf("PolicyException %s: %w", info.Key(), err)
		}
		s.exceptions = append(s.exceptions, e)
	case gkCELException:
		e, err := convert.To[policiesv1beta1.PolicyException](*u)
		if err != nil {
			return fmt.Errorf("PolicyException %s: %w", info.Key(), err)
		}
		s.celExceptions = append(s.celExceptions, e)
	case gkValidatingPolicy:
		p, err := convert.To[policiesv1beta1.ValidatingPolicy](*u)
		if err != nil {
			return fmt.Errorf("ValidatingPolicy %s: %w", u.GetName(), err)
		}
		if mode := p.Spec.EvaluationMode(); mode == "Envoy" || mode == "HTTP" || mode == "JSON" {
			s.warnings = append(s.warnings, Warning{File: file, Message: fmt.Sprintf("ValidatingPolicy %s (evaluation mode %s) is not evaluated: it does not apply to Kubernetes objects", u.GetName(), mode)})
			return nil
		}
		s.vpols = append(s.vpols, p)
		s.add(info)
	case gkNSValidatingPol:
		p, err := convert.To[policiesv1beta1.NamespacedValidatingPolicy](*u)
		if err != nil {
			return fmt.Errorf("NamespacedValidatingPolicy %s: %w", info.Key(), err)
		}
		s.vpols = append(s.vpols, p)
		s.add(info)
	default:
		msg := fmt.Sprintf("skipped %s %s: not a policy", gvk.Kind, info.Key())
		if policyGroups[gvk.Group] {
			msg = fmt.Sprintf("%s %s is not evaluated: git gitops check evaluates ClusterPolicy, Policy and ValidatingPolicy", gvk.Kind, info.Key())
		}
		s.warnings = append(s.warnings, Warning{File: file, Message: msg})
	}
	return nil
}

// addKyverno validates a ClusterPolicy or Policy with Kyverno's own
// validation, as `kyverno test` does before evaluating, and keeps it if
// valid. Server-side apply is turned off, as the CLI's loader does.
func (s *Set) addKyverno(p kyvernov1.PolicyInterface, info Info) {
	p.GetSpec().UseServerSideApply = false
	if _, err := policyvalidation.Validate(p, nil, nil, true, serviceAccountUser, serviceAccountUser); err != nil {
		s.invalid = append(s.invalid, Invalid{Info: info, Err: err})
		return
	}
	s.policies = append(s.policies, p)
	s.add(info)
}
