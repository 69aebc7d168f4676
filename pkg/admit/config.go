package admit

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/gitward/gitward/pkg/admitscope"
)

// Mode says what happens to a request that fails the rules.
type Mode string

// Modes.
const (
	ModeEnforce Mode = "enforce" // deny
	ModeWarn    Mode = "warn"    // admit with warnings and audit annotations
)

// ErrInvalidConfig is wrapped by configuration errors.
var ErrInvalidConfig = errors.New("invalid admission configuration")

// ParseMode returns the mode named s.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case ModeEnforce, ModeWarn:
		return Mode(s), nil
	}
	return "", fmt.Errorf("%w: mode %q: want %q or %q", ErrInvalidConfig, s, ModeEnforce, ModeWarn)
}

// Exemptions are identities whose requests pass without a check. Users and
// Groups hold exact names or path.Match patterns ("system:node:*").
type Exemptions struct {
	Users  []string
	Groups []string
}

// DefaultExemptions are the system controllers that must never be blocked,
// by exact name: kube-controller-manager and its per-controller service
// accounts, the scheduler, and the nodes (group system:nodes). They are
// defined once, in pkg/admitscope, which also writes them into the webhook
// configuration's matchConditions and the admission policy floor, so that
// their traffic never reaches the webhook.
func DefaultExemptions() Exemptions {
	return Exemptions{Users: admitscope.ExemptUsers(), Groups: admitscope.ExemptGroups()}
}

// DefaultAgent is the agent's identity as manifests/agent installs it.
func DefaultAgent() Exemptions {
	return Exemptions{Users: []string{"system:serviceaccount:gitward-system:gitward-agent"}}
}

// empty reports whether e names nobody.
func (e Exemptions) empty() bool { return len(e.Users) == 0 && len(e.Groups) == 0 }

// Validate checks every pattern.
func (e Exemptions) Validate() error {
	for _, p := range append(append([]string{}, e.Users...), e.Groups...) {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("%w: exemption pattern %q: %w", ErrInvalidConfig, p, err)
		}
	}
	return nil
}

// Match reports whether u is exempt.
func (e Exemptions) Match(u UserInfo) bool {
	for _, p := range e.Users {
		if match(p, u.Username) {
			return true
		}
	}
	for _, g := range u.Groups {
		for _, p := range e.Groups {
			if match(p, g) {
				return true
			}
		}
	}
	return false
}

// match is path.Match that treats a bad pattern as no match (Validate
// reports it).
func match(pattern, s string) bool {
	i := strings.IndexAny(pattern, "*?[\\")
	if i < 0 {
		return pattern == s
	}
	if !strings.HasPrefix(s, pattern[:i]) {
		return false // the literal prefix differs: no need to match
	}
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// IgnoreRule says that changes to Path (and below) of objects of Group/Kind
// are not checked against Git: for example spec.replicas of a Deployment an
// HorizontalPodAutoscaler scales. Kind "*" matches every kind of the group;
// Group "*" every group.
type IgnoreRule struct {
	Group string
	Kind  string
	Path  Path
}

// ParseIgnoreRules parses the values of an --ignore flag, as the webhook
// and the agent both read it, naming the flag in the error.
func ParseIgnoreRules(values []string) ([]IgnoreRule, error) {
	var out []IgnoreRule
	for _, s := range values {
		r, err := ParseIgnoreRule(s)
		if err != nil {
			return nil, fmt.Errorf("--ignore: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ParseIgnoreRule parses "<group>/<Kind>:<path>" ("apps/Deployment:spec.replicas");
// the core group is written "/ConfigMap:data[x]" or "ConfigMap:data[x]".
func ParseIgnoreRule(s string) (IgnoreRule, error) {
	kindPart, pathPart, ok := strings.Cut(s, ":")
	if !ok || kindPart == "" || pathPart == "" {
		return IgnoreRule{}, fmt.Errorf("%w: ignore rule %q: want <group>/<Kind>:<path>, such as apps/Deployment:spec.replicas", ErrInvalidConfig, s)
	}
	group, kind := "", kindPart
	if i := strings.LastIndex(kindPart, "/"); i >= 0 {
		group, kind = kindPart[:i], kindPart[i+1:]
	}
	if kind == "" {
		return IgnoreRule{}, fmt.Errorf("%w: ignore rule %q: the kind is empty", ErrInvalidConfig, s)
	}
	p, err := ParsePath(pathPart)
	if err != nil {
		return IgnoreRule{}, fmt.Errorf("%w: ignore rule %q: %w", ErrInvalidConfig, s, err)
	}
	return IgnoreRule{Group: group, Kind: kind, Path: p}, nil
}

// String returns the rule as ParseIgnoreRule reads it.
func (r IgnoreRule) String() string { return r.Group + "/" + r.Kind + ":" + r.Path.String() }

// matches reports whether the rule applies to p of an object of key's kind.
func (r IgnoreRule) matches(k Key, p Path) bool {
	return (r.Group == "*" || r.Group == k.Group) && (r.Kind == "*" || r.Kind == k.Kind) && p.HasPrefix(r.Path)
}
