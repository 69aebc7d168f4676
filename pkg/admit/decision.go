package admit

import "github.com/gitward/gitward/pkg/provenance"

// Reason is a stable, low-cardinality code for a decision: a metrics label
// and the "reason" audit annotation.
type Reason string

// Reasons for admitting a request.
const (
	ReasonMatchesGit      Reason = "matches-git"      // a managed change that is what Git says
	ReasonNotManaged      Reason = "not-managed"      // no source label and not in a managed namespace
	ReasonSubresource     Reason = "subresource"      // a subresource that changes no object
	ReasonConnect         Reason = "connect"          // CONNECT (exec, port-forward, proxy)
	ReasonExemptIdentity  Reason = "exempt-identity"  // a system controller, a node, a configured identity
	ReasonControllerOwned Reason = "controller-owned" // an object a controller owns, written by that controller
	ReasonNoLongerInGit   Reason = "no-longer-in-git" // a DELETE of an object Git no longer declares
)

// Reasons for denying a request (in warn mode and break-glass they are
// admitted, and Decision.Reason keeps the reason it would have been denied for).
const (
	ReasonMissingCommit  Reason = "missing-commit"   // no or malformed commit annotation
	ReasonNotOnBranch    Reason = "not-on-branch"    // the commit is not reachable from the branch head
	ReasonOlderCommit    Reason = "older-commit"     // the commit does not descend from the live object's
	ReasonUnknownSource  Reason = "unknown-source"   // a source label this webhook does not track
	ReasonAgentManager   Reason = "agent-manager"    // another identity writes as the agent's field manager
	ReasonNotDeclared    Reason = "not-declared"     // Git does not declare the object at the commit
	ReasonDiffers        Reason = "differs"          // a field Git declares has another value
	ReasonUndeclared     Reason = "undeclared"       // a changed path Git does not declare
	ReasonStillDeclared  Reason = "still-declared"   // a DELETE of an object Git declares at head
	ReasonGitUnavailable Reason = "git-unavailable"  // Git could not be consulted
	ReasonNoLiveObject   Reason = "no-parent-object" // a scale request without the parent object
	ReasonAdoption       Reason = "adoption"         // someone other than the agent stamps an object that exists unlabelled
)

// Action is what the webhook did with a request.
type Action string

// Actions.
const (
	ActionAllowed    Action = "allowed"     // admitted: in scope and what Git says, or out of scope
	ActionDenied     Action = "denied"      // denied (enforce mode)
	ActionWarned     Action = "warned"      // would be denied; admitted with warnings (warn mode)
	ActionBreakGlass Action = "break-glass" // would be denied; admitted for a break-glass group member
)

// Decision is the outcome of Decide.
type Decision struct {
	Allowed bool
	Action  Action
	Reason  Reason
	// Message says why; for a denial it is the text a person reads.
	Message string
	// Warnings are admission warnings for the client.
	Warnings []string
	// AuditAnnotations are added to the audit event (keys without a prefix;
	// the API server prefixes them with the webhook name).
	AuditAnnotations map[string]string
	// BreakGlass is set when a break-glass group member was admitted; the
	// caller records an Event on the object.
	BreakGlass bool
	// Managed, Source and Commit describe an in-scope request.
	Managed bool
	Source  string
	Commit  provenance.CommitID
	Key     Key
}
