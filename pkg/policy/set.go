package policy

import (
	"fmt"
	"sort"

	policiesv1beta1 "github.com/kyverno/api/api/policies.kyverno.io/v1beta1"
	kyvernov1 "github.com/kyverno/kyverno/api/kyverno/v1"
	kyvernov2 "github.com/kyverno/kyverno/api/kyverno/v2"
)

// Info names one loaded policy and the file that declared it.
type Info struct {
	// Kind is the policy's kind, e.g. ClusterPolicy or ValidatingPolicy.
	Kind string `json:"kind"`
	// Namespace is set for namespaced kinds (Policy, ...).
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// File is the path the policy was read from, as given to Load or Parse.
	File string `json:"file"`
}

// Key is the policy's name as Kyverno reports it: "namespace/name" for
// namespaced kinds, else "name".
func (i Info) Key() string {
	if i.Namespace == "" {
		return i.Name
	}
	return i.Namespace + "/" + i.Name
}

func (i Info) String() string { return fmt.Sprintf("%s %s (%s)", i.Kind, i.Key(), i.File) }

// Invalid is a policy that Kyverno's own validation rejects; `kyverno test`
// skips such a policy, and so does Evaluate. Callers should report it.
type Invalid struct {
	Info
	Err error
}

func (i Invalid) Error() string { return fmt.Sprintf("%s is invalid: %v", i.Info, i.Err) }

// Warning is a non-fatal problem found while loading, such as a document
// that is not a policy, or a kind this package does not evaluate.
type Warning struct {
	File    string `json:"file"`
	Message string `json:"message"`
}

func (w Warning) String() string { return w.File + ": " + w.Message }

// Set is a set of loaded policies, ready to evaluate. The zero Set is empty
// and usable. A Set is not safe for concurrent mutation (Merge) but may be
// evaluated concurrently.
type Set struct {
	policies      []kyvernov1.PolicyInterface
	vpols         []policiesv1beta1.ValidatingPolicyLike
	exceptions    []*kyvernov2.PolicyException
	celExceptions []*policiesv1beta1.PolicyException

	infos    []Info
	files    map[string]string // kind/key -> file
	invalid  []Invalid
	warnings []Warning
}

// Policies lists the policies of the set that Evaluate applies, sorted by
// kind, namespace and name. Invalid policies are not listed.
func (s *Set) Policies() []Info {
	out := append([]Info(nil), s.infos...)
	sort.Slice(out, func(a, b int) bool {
		if out[a].Kind != out[b].Kind {
			return out[a].Kind < out[b].Kind
		}
		return out[a].Key() < out[b].Key()
	})
	return out
}

// Len is the number of policies Evaluate applies.
func (s *Set) Len() int { return len(s.infos) }

// Invalid lists the policies that Kyverno's validation rejected.
func (s *Set) Invalid() []Invalid { return append([]Invalid(nil), s.invalid...) }

// Warnings lists the non-fatal problems found while loading.
func (s *Set) Warnings() []Warning { return append([]Warning(nil), s.warnings...) }

// Merge adds the policies of o to s.
func (s *Set) Merge(o *Set) {
	if o == nil {
		return
	}
	s.policies = append(s.policies, o.policies...)
	s.vpols = append(s.vpols, o.vpols...)
	s.exceptions = append(s.exceptions, o.exceptions...)
	s.celExceptions = append(s.celExceptions, o.celExceptions...)
	s.infos = append(s.infos, o.infos...)
	s.invalid = append(s.invalid, o.invalid...)
	s.warnings = append(s.warnings, o.warnings...)
	for k, v := range o.files {
		s.addFile(k, v)
	}
}

func (s *Set) addFile(key, file string) {
	if s.files == nil {
		s.files = map[string]string{}
	}
	s.files[key] = file
}

// fileOf returns the file of the policy of the given kind and key.
func (s *Set) fileOf(kind, key string) string { return s.files[kind+"/"+key] }

func (s *Set) add(info Info) {
	s.infos = append(s.infos, info)
	s.addFile(info.Kind+"/"+info.Key(), info.File)
}
