package admitscope

import "slices"

// Resource names an API resource, or one of its subresources, by group,
// resource and subresource ("" for the core group and for the resource
// itself).
type Resource struct {
	Group       string
	Resource    string
	Subresource string
	// Why the webhook need not see it: what a request for it changes (or
	// that it changes no stored object).
	Why string
}

// String writes r the way kubectl names resources:
// resource[.group][/subresource] ("events", "leases.coordination.k8s.io",
// "serviceaccounts/token").
func (r Resource) String() string {
	s := r.Resource
	if r.Group != "" {
		s += "." + r.Group
	}
	if r.Subresource != "" {
		s += "/" + r.Subresource
	}
	return s
}

// neverSent are kept away from the webhook by matchConditions, because the
// rules send every resource ("*/*") and rules cannot exclude one.
// Each entry is an opening in the scope, so each says why it is safe: the
// request either stores nothing, or stores a record that is not desired
// state and that Git never declares. CONNECT (exec, attach, port-forward,
// proxy) is not listed: no rule sends that operation, and it changes no
// object.
var neverSent = []Resource{
	{Resource: "events", Why: "a report about an object, not desired state: Git never declares Events, " +
		"every controller and kubelet writes them in managed namespaces, and a webhook outage must not lose them"},
	{Group: "events.k8s.io", Resource: "events", Why: "the same Events through the newer API"},
	{Group: "coordination.k8s.io", Resource: "leases", Why: "heartbeats and leader election: a Lease records who holds a lock, " +
		"renewed every few seconds; checking it would stop the leader election of applications in managed namespaces"},
	{Resource: "serviceaccounts", Subresource: "token", Why: "TokenRequest: issues a token and stores nothing " +
		"(who may request one is RBAC's to say)"},
	{Group: "authentication.k8s.io", Resource: "tokenreviews", Why: "virtual: answered and never stored"},
	{Group: "authentication.k8s.io", Resource: "selfsubjectreviews", Why: "virtual: answered and never stored"},
	{Group: "authorization.k8s.io", Resource: "subjectaccessreviews", Why: "virtual: answered and never stored"},
	{Group: "authorization.k8s.io", Resource: "selfsubjectaccessreviews", Why: "virtual: answered and never stored"},
	{Group: "authorization.k8s.io", Resource: "localsubjectaccessreviews", Why: "virtual: answered and never stored"},
	{Group: "authorization.k8s.io", Resource: "selfsubjectrulesreviews", Why: "virtual: answered and never stored"},
}

// NeverSent returns the resources that no webhook receives.
func NeverSent() []Resource { return slices.Clone(neverSent) }

// IsNeverSent reports whether a request for group, resource and subresource
// is kept away from the webhook.
func IsNeverSent(group, resource, subresource string) bool {
	return slices.ContainsFunc(neverSent, func(r Resource) bool {
		return r.Group == group && r.Resource == resource && r.Subresource == subresource
	})
}

// neverSentKeys are the String of each never-sent resource.
func neverSentKeys() []string {
	keys := make([]string, len(neverSent))
	for i, r := range neverSent {
		keys[i] = r.String()
	}
	return keys
}
