package check

import (
	"github.com/gitward/gitward/pkg/policy"
)

// Kind names what a finding is about.
type Kind string

// The kinds of findings.
const (
	KindRender           Kind = "render"
	KindPlaintextSecret  Kind = "plaintext-secret"
	KindDuplicate        Kind = "duplicate"
	KindMissingNamespace Kind = "missing-namespace"
	KindPolicy           Kind = "policy"
	KindPolicyInvalid    Kind = "policy-invalid"
)

// Object identifies a rendered object.
type Object = policy.Object

// Status of a finding, as in a PolicyReport: fail and error fail the
// check, warn does not.
type Status = policy.Status

// Finding is one problem check found.
type Finding struct {
	// Environment is empty for findings about the policies themselves.
	Environment string  `json:"environment,omitempty"`
	Kind        Kind    `json:"check"`
	Status      Status  `json:"result"`
	Object      *Object `json:"object,omitempty"`
	// File declared the object (or, for policy-invalid, the policy); a
	// slash path relative to the repository root. Empty when unknown.
	File string `json:"file,omitempty"`
	// Key is the data key a plaintext-secret finding is about.
	Key string `json:"key,omitempty"`
	// Policy, Rule and PolicyFile are set for policy findings.
	Policy     string `json:"policy,omitempty"`
	Rule       string `json:"rule,omitempty"`
	PolicyFile string `json:"policyFile,omitempty"`
	Message    string `json:"message"`
}

// Failed reports whether the finding fails the check.
func (f Finding) Failed() bool {
	return f.Status == policy.StatusFail || f.Status == policy.StatusError
}

func (f Finding) String() string {
	s := string(f.Status) + " " + string(f.Kind)
	if f.Environment != "" {
		s += " [" + f.Environment + "]"
	}
	if f.Object != nil {
		s += " " + f.Object.String()
	}
	if f.File != "" {
		s += " (" + f.File + ")"
	}
	return s + ": " + f.Message
}

// EnvironmentReport is what check found in one environment.
type EnvironmentReport struct {
	Name string `json:"name"`
	Path string `json:"path"`
	// Objects is the number of rendered objects (0 if rendering failed).
	Objects  int       `json:"objects"`
	Findings []Finding `json:"findings"`
	// Policy holds every policy result, passes included; nil when no
	// policies were evaluated.
	Policy *policy.Report `json:"-"`
	// Files[i] is the file of rendered object i, "" when unknown.
	Files []string `json:"-"`
}

// Report is the outcome of Run.
type Report struct {
	Environments []EnvironmentReport `json:"environments"`
	// Policies are the policies that were evaluated.
	Policies []policy.Info `json:"policies"`
	// Findings about the policies themselves (policy-invalid).
	Findings []Finding `json:"findings"`
	// Warnings are non-fatal notes (documents beside the policies that
	// are not policies, ...).
	Warnings []string `json:"warnings,omitempty"`
}

// All returns every finding: about the policies first, then environment
// by environment.
func (r *Report) All() []Finding {
	out := append([]Finding(nil), r.Findings...)
	for _, e := range r.Environments {
		out = append(out, e.Findings...)
	}
	return out
}

// Failed reports whether any finding fails the check.
func (r *Report) Failed() bool {
	for _, f := range r.All() {
		if f.Failed() {
			return true
		}
	}
	return false
}

// Counts counts findings that fail and that only warn.
func (r *Report) Counts() (failed, warned int) {
	for _, f := range r.All() {
		if f.Failed() {
			failed++
		} else {
			warned++
		}
	}
	return failed, warned
}

func objectOf(apiVersion, kind, ns, name string) *Object {
	return &Object{APIVersion: apiVersion, Kind: kind, Namespace: ns, Name: name}
}

func (e *EnvironmentReport) add(f Finding) {
	f.Environment = e.Name
	e.Findings = append(e.Findings, f)
}

func (e *EnvironmentReport) fileOf(i int) string {
	if i < 0 || i >= len(e.Files) {
		return ""
	}
	return e.Files[i]
}
