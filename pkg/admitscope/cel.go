package admitscope

import (
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

// Names of the matchConditions; the API server reports the name of the
// condition that kept a request away, so each says what it excludes.
const (
	ConditionNotExemptUser   = "not-an-exempt-user"
	ConditionNotExemptGroup  = "not-in-an-exempt-group"
	ConditionNotNeverSent    = "not-a-never-sent-resource"
	ConditionNotANamespace   = "not-a-namespace"
	celListIndent            = "  "
	celRequestResourceString = "(\n" +
		celListIndent + "request.resource.resource +\n" +
		celListIndent + "(request.resource.group != '' ? '.' + request.resource.group : '') +\n" +
		celListIndent + "(has(request.subResource) ? '/' + request.subResource : '')\n" +
		")"
)

// The expressions read request only (the AdmissionRequest as the API server
// converts it to a map: fields it omits when empty, such as
// userInfo.username, userInfo.groups and subResource, are absent, not
// empty). Each tests presence with has() first, because an expression that
// errs under failurePolicy Fail rejects the request instead of skipping the
// webhook.

// exemptUserCondition is false for an exempt username.
func exemptUserCondition() admissionregistrationv1.MatchCondition {
	return admissionregistrationv1.MatchCondition{
		Name: ConditionNotExemptUser,
		Expression: "!(has(request.userInfo.username) && request.userInfo.username in " +
			celStrings(ExemptUsers()) + ")",
	}
}

// exemptGroupCondition is false for a member of an exempt group.
func exemptGroupCondition() admissionregistrationv1.MatchCondition {
	return admissionregistrationv1.MatchCondition{
		Name: ConditionNotExemptGroup,
		Expression: "!(has(request.userInfo.groups) && request.userInfo.groups.exists(g, g in " +
			celStrings(ExemptGroups()) + "))",
	}
}

// neverSentCondition is false for a request for a never-sent resource,
// named as Resource.String names it.
func neverSentCondition() admissionregistrationv1.MatchCondition {
	return admissionregistrationv1.MatchCondition{
		Name:       ConditionNotNeverSent,
		Expression: "!(" + celRequestResourceString + " in " + celStrings(neverSentKeys()) + ")",
	}
}

// notANamespaceCondition is false for a Namespace (and its subresources):
// those go to the namespaces webhook only.
func notANamespaceCondition() admissionregistrationv1.MatchCondition {
	return admissionregistrationv1.MatchCondition{
		Name:       ConditionNotANamespace,
		Expression: "!(request.resource.group == '' &&\n" + celListIndent + "request.resource.resource == 'namespaces')",
	}
}

// MatchConditions returns the conditions every webhook and the policy floor
// share: the exempt identities and the never-sent resources never reach
// them.
func MatchConditions() []admissionregistrationv1.MatchCondition {
	return []admissionregistrationv1.MatchCondition{exemptUserCondition(), exemptGroupCondition(), neverSentCondition()}
}

// celStrings writes ss as a CEL list literal, one string a line, so that the
// generated YAML reads as a list. The names are Kubernetes names (no quote
// or backslash; TestNamesAreCELSafe).
func celStrings(ss []string) string {
	quoted := make([]string, len(ss))
	for i, s := range ss {
		quoted[i] = celListIndent + "'" + s + "'"
	}
	return "[\n" + strings.Join(quoted, ",\n") + "\n]"
}
