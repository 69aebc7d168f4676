package admit

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// adopting reports whether the request takes over an object that exists
// without the source label (made by hand, by kubectl or Helm): the live
// object has no source label and the request adds one.
func (r *review) adopting() bool {
	if r.op != Update || r.old == nil || r.obj == nil || r.sub != subNone {
		return false
	}
	_, wasLabelled := labelOf(r.old)
	_, labelled := labelOf(r.obj)
	return !wasLabelled && labelled
}

// ruleAdopt admits an adoption only from the agent, applying with its own
// field manager: only the agent writes exactly Git's object (the rest of the
// chain checks the commit, its branch and every declared field). Anyone
// else stamping the contract onto an object would have Git vouch for the
// content it already holds, which Git never declared: a hand-made object
// with an extra container or volume would pass as Git's from then on. A dry
// run writes nothing and passes (kubectl gitops diff dry-runs as the agent).
func ruleAdopt(_ context.Context, r *review) ([]string, error) {
	d := r.decider
	if !r.adopting() || r.req.DryRun {
		return nil, nil
	}
	if d.Agent.Match(r.req.User) && r.req.FieldManager == d.agentManager() {
		return nil, nil
	}
	return nil, deny(ReasonAdoption, field.ErrorList{problem(sourcePath, fmt.Sprintf(
		"this request adds the source label to an object that exists without it; only the gitward agent "+
			"adopts objects (it applies Git's object with field manager %q): push the object to Git and let the agent apply it",
		d.agentManager()))})
}
