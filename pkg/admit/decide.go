package admit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gitward/gitward/pkg/provenance"
)

// Decider decides admission requests. Fill it in, call Validate once, then
// Decide concurrently.
type Decider struct {
	// Sources are the tracked sources by name.
	Sources map[string]Source
	// Namespaces tells which namespaces are managed; nil: none beyond the
	// objects' own labels.
	Namespaces Namespaces
	// Mode is ModeEnforce or ModeWarn; empty means enforce.
	Mode Mode
	// BreakGlassGroups are groups whose members are admitted with a warning.
	BreakGlassGroups []string
	// Exempt identities pass unchecked (see DefaultExemptions).
	Exempt Exemptions
	// Ignore lists paths not checked against Git.
	Ignore []IgnoreRule
	// Controllers are the identities whose writes to objects they own (a
	// controller ownerReference) are out of scope; an ownerReference takes
	// an object out of scope for nobody else.
	Controllers Exemptions
	// Agent are the identities allowed to write with AgentFieldManager;
	// empty: DefaultAgent.
	Agent Exemptions
	// AgentFieldManager is the agent's field manager; a request naming it
	// from an identity outside Agent is denied. Empty: provenance.FieldManager.
	AgentFieldManager string
}

// Validate checks the configuration.
func (d *Decider) Validate() error {
	if len(d.Sources) == 0 {
		return fmt.Errorf("%w: no sources", ErrInvalidConfig)
	}
	for name, s := range d.Sources {
		if s == nil {
			return fmt.Errorf("%w: source %q is nil", ErrInvalidConfig, name)
		}
	}
	if d.Agent.empty() {
		d.Agent = DefaultAgent()
	}
	if d.Mode != "" {
		if _, err := ParseMode(string(d.Mode)); err != nil {
			return err
		}
	}
	for _, e := range []Exemptions{d.Exempt, d.Controllers, d.Agent} {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Decide returns the decision for req. It never panics on malformed objects;
// a request it cannot check against Git is denied (fail closed) with a
// message that says so.
func (d *Decider) Decide(ctx context.Context, req *Request) Decision {
	r, dec, inScope := d.scope(ctx, req)
	if !inScope {
		return dec
	}
	warnings, err := runChain(ctx, r, r.rules())
	dec = Decision{Allowed: true, Action: ActionAllowed, Reason: ReasonMatchesGit, Managed: true,
		Source: r.info.Name, Commit: r.shownCommit(), Key: r.key, Warnings: warnings}
	if r.op == Delete && err == nil {
		dec.Reason = ReasonNoLongerInGit
	}
	if err == nil {
		dec.Message = r.key.String() + " matches Git (source " + r.info.Name + ", commit " + dec.Commit.Short() + ")"
		dec.AuditAnnotations = r.audit(dec)
		return dec
	}
	var denial *Denial
	if !errors.As(err, &denial) {
		denial = &Denial{Reason: ReasonGitUnavailable, Errs: field.ErrorList{
			field.InternalError(nil, fmt.Errorf("cannot check against Git: %w", err))}}
	}
	dec.Reason = denial.Reason
	dec.Commit = r.shownCommit()
	dec.Message = r.message(denial)
	d.applyMode(r, &dec)
	return dec
}

// applyMode turns a failed check into a denial, a warning or a break-glass
// admission.
func (d *Decider) applyMode(r *review, dec *Decision) {
	switch {
	case d.breakGlass(r.req.User):
		dec.Allowed, dec.Action, dec.BreakGlass = true, ActionBreakGlass, true
		dec.Warnings = append(dec.Warnings, "break-glass: admitted although "+dec.Message)
	case d.Mode == ModeWarn:
		dec.Allowed, dec.Action = true, ActionWarned
		dec.Warnings = append(dec.Warnings, "gitward (warn mode) would deny: "+dec.Message)
	default:
		dec.Allowed, dec.Action = false, ActionDenied
	}
	dec.AuditAnnotations = r.audit(*dec)
}

// breakGlass reports whether u is in a break-glass group.
func (d *Decider) breakGlass(u UserInfo) bool {
	for _, g := range u.Groups {
		if slices.Contains(d.BreakGlassGroups, g) {
			return true
		}
	}
	return false
}

// ignoreFor returns the ignore rules for key as a function of the path.
func (d *Decider) ignoreFor(k Key) ignoreFunc {
	var rules []IgnoreRule
	for _, r := range d.Ignore {
		if (r.Group == "*" || r.Group == k.Group) && (r.Kind == "*" || r.Kind == k.Kind) {
			rules = append(rules, r)
		}
	}
	if len(rules) == 0 {
		return nil
	}
	return func(p Path) bool {
		for _, r := range rules {
			if r.matches(k, p) {
				return true
			}
		}
		return false
	}
}

// allowed returns an out-of-scope decision.
func allowed(reason Reason, msg string, warnings ...string) Decision {
	return Decision{Allowed: true, Action: ActionAllowed, Reason: reason, Message: msg, Warnings: warnings}
}

// controllerOwned reports whether u has an ownerReference with controller: true.
func controllerOwned(u *unstructured.Unstructured) bool {
	if u == nil {
		return false
	}
	md, _ := u.Object["metadata"].(map[string]any)
	refs, _ := md["ownerReferences"].([]any)
	for _, r := range refs {
		if m, ok := r.(map[string]any); ok && m["controller"] == true {
			return true
		}
	}
	return false
}

// labelOf returns the source label of u, reading the map defensively.
func labelOf(u *unstructured.Unstructured) (string, bool) {
	if u == nil {
		return "", false
	}
	md, _ := u.Object["metadata"].(map[string]any)
	labels, _ := md["labels"].(map[string]any)
	s, ok := labels[provenance.LabelSource].(string)
	return s, ok
}

// annotationOf returns annotation key of u, reading the map defensively.
func annotationOf(u *unstructured.Unstructured, key string) (string, bool) {
	if u == nil {
		return "", false
	}
	md, _ := u.Object["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	s, ok := ann[key].(string)
	return s, ok
}
