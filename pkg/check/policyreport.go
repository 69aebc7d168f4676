package check

import (
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/policy"
)

// ReportSource is the source of the results of gitward's own checks in a
// PolicyReport; the policy is ReportPolicy and the rule the finding's kind.
const (
	ReportSource = "gitward"
	ReportPolicy = "gitward-check"
	// LabelEnvironment labels each PolicyReport with its environment.
	LabelEnvironment = "gitward.dev/environment"
)

// PolicyReports returns one wgpolicyk8s.io/v1alpha2 PolicyReport per
// environment, named gitward-check-<environment>. It holds every Kyverno
// result (passes included) and one result per finding of gitward's own
// checks (source "gitward", policy "gitward-check", rule the kind of the
// finding); findings about the policies themselves go into every report.
// now stamps the results; zero leaves timestamps out.
func (r *Report) PolicyReports(now time.Time) ([]*unstructured.Unstructured, error) {
	out := make([]*unstructured.Unstructured, 0, len(r.Environments))
	for _, e := range r.Environments {
		pr := &policy.Report{}
		if e.Policy != nil {
			pr.Results = append(pr.Results, e.Policy.Results...)
		}
		for _, f := range append(append([]Finding(nil), r.Findings...), e.Findings...) {
			if f.Kind == KindPolicy {
				continue // already among e.Policy's results
			}
			res := policy.Result{
				Policy: ReportPolicy, Rule: string(f.Kind), Status: f.Status, Message: f.Message,
				Source: ReportSource, Scored: true, Severity: "high",
			}
			if f.Object != nil {
				res.Object = *f.Object
			}
			props := map[string]string{}
			if f.File != "" {
				props["file"] = f.File
			}
			if f.Key != "" {
				props["key"] = f.Key
			}
			if len(props) > 0 {
				res.Properties = props
			}
			pr.Results = append(pr.Results, res)
		}
		u, err := pr.PolicyReport(policy.PolicyReportOptions{
			Name:      "gitward-check-" + e.Name,
			Labels:    map[string]string{LabelEnvironment: e.Name},
			Timestamp: now,
		})
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
