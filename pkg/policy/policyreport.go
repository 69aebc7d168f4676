package policy

import (
	"fmt"
	"time"

	policyreportv1alpha2 "github.com/kyverno/kyverno/api/policyreport/v1alpha2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// PolicyReportOptions name the PolicyReport that Report.PolicyReport builds.
type PolicyReportOptions struct {
	Name      string
	Namespace string
	// Labels are set on the report, e.g. the environment it covers.
	Labels map[string]string
	// Timestamp is stamped on every result; zero leaves it out.
	Timestamp time.Time
}

// PolicyReport converts the report into a wgpolicyk8s.io/v1alpha2
// PolicyReport, the format Kyverno reports in (Kyverno's own API type),
// with its summary. It is returned as an unstructured object so that
// callers need not import Kyverno.
func (r *Report) PolicyReport(o PolicyReportOptions) (*unstructured.Unstructured, error) {
	pr := &policyreportv1alpha2.PolicyReport{
		TypeMeta: metav1.TypeMeta{
			APIVersion: policyreportv1alpha2.GroupVersion.String(),
			Kind:       "PolicyReport",
		},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace, Labels: o.Labels},
		Results:    make([]policyreportv1alpha2.PolicyReportResult, 0, len(r.Results)),
	}
	var ts metav1.Timestamp
	if !o.Timestamp.IsZero() {
		ts = metav1.Timestamp{Seconds: o.Timestamp.Unix()}
	}
	for _, res := range r.Results {
		var refs []corev1.ObjectReference
		if res.Object != (Object{}) {
			refs = []corev1.ObjectReference{{
				APIVersion: res.Object.APIVersion,
				Kind:       res.Object.Kind,
				Namespace:  res.Object.Namespace,
				Name:       res.Object.Name,
			}}
		}
		pr.Results = append(pr.Results, policyreportv1alpha2.PolicyReportResult{
			Source:     res.Source,
			Policy:     res.Policy,
			Rule:       res.Rule,
			Message:    res.Message,
			Result:     policyreportv1alpha2.PolicyResult(res.Status),
			Scored:     res.Scored,
			Resources:  refs,
			Properties: res.Properties,
			Category:   res.Category,
			Severity:   policyreportv1alpha2.PolicySeverity(res.Severity),
			Timestamp:  ts,
		})
	}
	s := r.Summary()
	pr.Summary = policyreportv1alpha2.PolicyReportSummary{Pass: s.Pass, Fail: s.Fail, Warn: s.Warn, Error: s.Error, Skip: s.Skip}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(pr)
	if err != nil {
		return nil, fmt.Errorf("policy report %q: %w", o.Name, err)
	}
	u := &unstructured.Unstructured{Object: obj}
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	return u, nil
}
