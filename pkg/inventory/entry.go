package inventory

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gitward/gitward/pkg/apply"
)

// ErrBadEntry is wrapped when an inventory entry cannot be parsed.
var ErrBadEntry = errors.New("malformed inventory entry")

// Format spells ref as an inventory entry: "group/Kind/namespace/name"
// (group and namespace empty for the core group and cluster-scoped kinds).
func Format(ref apply.Ref) string {
	return ref.Group + "/" + ref.Kind + "/" + ref.Namespace + "/" + ref.Name
}

// Parse reads an entry written by Format.
func Parse(s string) (apply.Ref, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 4 || parts[1] == "" || parts[3] == "" {
		return apply.Ref{}, fmt.Errorf("%w %q: want group/Kind/namespace/name", ErrBadEntry, s)
	}
	return apply.Ref{Group: parts[0], Kind: parts[1], Namespace: parts[2], Name: parts[3]}, nil
}

// Set is a set of objects.
type Set map[apply.Ref]struct{}

// NewSet returns a set holding refs.
func NewSet(refs ...apply.Ref) Set {
	s := make(Set, len(refs))
	for _, r := range refs {
		s[r] = struct{}{}
	}
	return s
}

// Has reports whether r is in s.
func (s Set) Has(r apply.Ref) bool { _, ok := s[r]; return ok }

// Sorted returns the members of s sorted by their entry spelling.
func (s Set) Sorted() []apply.Ref {
	out := make([]apply.Ref, 0, len(s))
	for r := range s {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return Format(out[i]) < Format(out[j]) })
	return out
}

// Union returns the members of a and of every b.
func Union(a Set, b ...[]apply.Ref) Set {
	out := make(Set, len(a))
	for r := range a {
		out[r] = struct{}{}
	}
	for _, refs := range b {
		for _, r := range refs {
			out[r] = struct{}{}
		}
	}
	return out
}

// Equal reports whether a and b have the same members.
func Equal(a, b Set) bool {
	if len(a) != len(b) {
		return false
	}
	for r := range a {
		if !b.Has(r) {
			return false
		}
	}
	return true
}
