package policy

import (
	"strings"

	kyvernov1 "github.com/kyverno/kyverno/api/kyverno/v1"
	"github.com/kyverno/kyverno/pkg/autogen"
)

// kindFilter is the set of kinds a policy's rules (autogen rules included)
// can match, so that the engine is not called for objects no rule can
// match: it would return no rule responses for them. It is nil, meaning
// "may match anything", whenever a rule's kinds cannot be told for sure
// (no kinds, wildcards, group/version/kind or subresource forms).
type kindFilter map[string]bool

func (f kindFilter) mayMatch(kind string) bool { return f == nil || f[kind] }

func kindsOf(p kyvernov1.PolicyInterface) kindFilter {
	f := kindFilter{}
	for _, r := range autogen.Default.ComputeRules(p, "") {
		m := r.MatchResources
		switch {
		case len(m.Any) > 0:
			for _, rf := range m.Any {
				if !f.add(rf.Kinds) {
					return nil
				}
			}
		case len(m.All) > 0:
			restricted := false
			for _, rf := range m.All {
				if len(rf.Kinds) > 0 {
					if !f.add(rf.Kinds) {
						return nil
					}
					restricted = true
				}
			}
			if !restricted {
				return nil
			}
		default:
			if !f.add(m.Kinds) {
				return nil
			}
		}
	}
	return f
}

// add records kinds; false when they do not restrict the kind for sure.
func (f kindFilter) add(kinds []string) bool {
	if len(kinds) == 0 {
		return false
	}
	for _, k := range kinds {
		if k == "" || strings.ContainsAny(k, "*?/.") {
			return false
		}
		f[k] = true
	}
	return true
}
