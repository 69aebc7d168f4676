package policy

import (
	"fmt"
	"sort"
)

// Status is the result of one rule on one object, as Kyverno reports it.
type Status string

// The statuses of a PolicyReport result.
const (
	StatusPass  Status = "pass"
	StatusFail  Status = "fail"
	StatusWarn  Status = "warn"
	StatusError Status = "error"
	StatusSkip  Status = "skip"
)

// Object identifies an evaluated object.
type Object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// String formats the object as kind/name or kind/namespace/name, prefixed
// with its API version.
func (o Object) String() string {
	if o.Namespace == "" {
		return fmt.Sprintf("%s/%s/%s", o.APIVersion, o.Kind, o.Name)
	}
	return fmt.Sprintf("%s/%s/%s/%s", o.APIVersion, o.Kind, o.Namespace, o.Name)
}

// Result is the outcome of one rule of one policy on one object.
type Result struct {
	// Policy is the policy's name, "namespace/name" for namespaced kinds,
	// as in a PolicyReport; for a ValidatingAdmissionPolicy it is the
	// policy name Kyverno reports.
	Policy     string `json:"policy"`
	PolicyKind string `json:"policyKind"`
	// PolicyFile is the file that declared the policy.
	PolicyFile string `json:"policyFile,omitempty"`
	// Rule is the rule's name (autogen-… for rules Kyverno generated for
	// Pod controllers); for CEL policies it is what Kyverno reports.
	Rule string `json:"rule,omitempty"`
	// RuleType is Validation, Mutation, Generation or ImageVerify.
	RuleType string `json:"ruleType,omitempty"`
	Object   Object `json:"object"`
	// ObjectIndex is the position of the object in the slice given to
	// Evaluate, so that callers can find its file.
	ObjectIndex int    `json:"-"`
	Status      Status `json:"result"`
	Message     string `json:"message,omitempty"`
	// Source is the engine that produced the result: kyverno,
	// KyvernoValidatingPolicy, ValidatingAdmissionPolicy, ...
	Source     string            `json:"source,omitempty"`
	Severity   string            `json:"severity,omitempty"`
	Category   string            `json:"category,omitempty"`
	Scored     bool              `json:"scored"`
	Properties map[string]string `json:"properties,omitempty"`
}

// Failed reports whether the result is a failure or an error.
func (r Result) Failed() bool { return r.Status == StatusFail || r.Status == StatusError }

// Summary counts results by status.
type Summary struct {
	Pass  int `json:"pass"`
	Fail  int `json:"fail"`
	Warn  int `json:"warn"`
	Error int `json:"error"`
	Skip  int `json:"skip"`
}

// Report is the outcome of evaluating a Set.
type Report struct {
	Results []Result `json:"results"`
}

// Summary counts the report's results by status.
func (r *Report) Summary() Summary {
	var s Summary
	for _, res := range r.Results {
		switch res.Status {
		case StatusPass:
			s.Pass++
		case StatusFail:
			s.Fail++
		case StatusWarn:
			s.Warn++
		case StatusError:
			s.Error++
		case StatusSkip:
			s.Skip++
		}
	}
	return s
}

// Failed reports whether any result failed or errored.
func (r *Report) Failed() bool {
	for _, res := range r.Results {
		if res.Failed() {
			return true
		}
	}
	return false
}

// Failures returns the failed and errored results.
func (r *Report) Failures() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Failed() {
			out = append(out, res)
		}
	}
	return out
}

// sortResults orders results by policy, rule, object and status, so that
// a report does not depend on evaluation order.
func sortResults(rs []Result) {
	sort.SliceStable(rs, func(a, b int) bool {
		x, y := rs[a], rs[b]
		switch {
		case x.Policy != y.Policy:
			return x.Policy < y.Policy
		case x.Rule != y.Rule:
			return x.Rule < y.Rule
		case x.Object.String() != y.Object.String():
			return x.Object.String() < y.Object.String()
		case x.ObjectIndex != y.ObjectIndex:
			return x.ObjectIndex < y.ObjectIndex
		default:
			return x.Status < y.Status
		}
	})
}
