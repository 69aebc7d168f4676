package admit

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// A rule checks one thing about a review. It returns admission warnings and
// an error: a *Denial built from a field.ErrorList when the request breaks
// the rule, any other error when Git could not be consulted.
type rule func(ctx context.Context, r *review) (warnings []string, err error)

// runChain runs rules in order and stops at the first error; later rules
// rely on what earlier ones established (the parsed commit, Git's object).
func runChain(ctx context.Context, r *review, rules []rule) ([]string, error) {
	var warnings []string
	for _, rl := range rules {
		w, err := rl(ctx, r)
		warnings = append(warnings, w...)
		if err != nil {
			return warnings, err
		}
	}
	return warnings, nil
}

// Denial is the error of a broken rule: the reason code and one field.Error
// per problem.
type Denial struct {
	Reason Reason
	Errs   field.ErrorList
}

// Error lists the problems.
func (d *Denial) Error() string { return string(d.Reason) + ": " + formatErrors(d.Errs) }

// deny returns a *Denial for errs, or nil when errs is empty.
func deny(reason Reason, errs field.ErrorList) error {
	if len(errs) == 0 {
		return nil
	}
	return &Denial{Reason: reason, Errs: errs}
}

// maxErrors bounds the problems listed in one message.
const maxErrors = 5

// formatErrors renders errs as "path — Git says X, this request says Y; …".
func formatErrors(errs field.ErrorList) string {
	parts := make([]string, 0, min(len(errs), maxErrors)+1)
	for i, e := range errs {
		if i == maxErrors {
			parts = append(parts, fmt.Sprintf("and %d more", len(errs)-maxErrors))
			break
		}
		parts = append(parts, formatError(e))
	}
	return strings.Join(parts, "; ")
}

// formatError renders one problem.
func formatError(e *field.Error) string {
	var s string
	switch e.Type {
	case field.ErrorTypeInvalid:
		s = "Git says " + e.Detail + ", this request says " + formatValue(e.BadValue)
	case field.ErrorTypeRequired:
		s = "Git says " + e.Detail + ", this request leaves it out"
	case field.ErrorTypeInternal:
		s = e.Detail
	default:
		s = e.Detail
	}
	if e.Field == "" || e.Field == "<nil>" {
		return s
	}
	return e.Field + " — " + s
}

// message is the whole text a person reads for a denial.
func (r *review) message(d *Denial) string {
	var b strings.Builder
	if r.key.Name != "" {
		b.WriteString(r.key.String())
	} else {
		b.WriteString(strings.TrimSuffix(r.req.Resource.Resource, "s") + "/" + r.req.Name)
	}
	b.WriteString(" is managed by Git (source ")
	b.WriteString(r.info.Name)
	if c := r.shownCommit(); c != "" {
		b.WriteString(", commit ")
		b.WriteString(c.Short())
	}
	b.WriteString("): ")
	b.WriteString(formatErrors(d.Errs))
	b.WriteString(". ")
	b.WriteString(r.hint(d.Reason))
	return b.String()
}

// hint says what to do about a denial.
func (r *review) hint(reason Reason) string {
	where := "Git"
	if r.info.Path != "" {
		where = r.info.Path + " in Git"
	}
	switch reason {
	case ReasonStillDeclared:
		return "Remove it from " + where + ", or ask for break-glass."
	case ReasonNotDeclared:
		return "Add it to " + where + ", or ask for break-glass."
	case ReasonUndeclared:
		if r.sub == subUnknown {
			return "In a managed namespace only exempt system identities write it; ask for break-glass."
		}
		if r.op == Create {
			return "Declare it in " + where + "; a field the API server sets itself passes only in a server-side apply " +
				"(kubectl gitops sync, kubectl apply --server-side). Or ask for break-glass."
		}
	case ReasonAgentManager:
		return "Write with your own field manager (kubectl gitops sync uses kubectl-gitops), or ask for break-glass."
	case ReasonUnknownSource:
		return "Label it with a source this webhook tracks, or ask for break-glass."
	case ReasonGitUnavailable, ReasonNoLiveObject:
		return "Try again when the webhook can reach Git and the API server, or ask for break-glass."
	}
	return "Change " + where + ", or ask for break-glass."
}
