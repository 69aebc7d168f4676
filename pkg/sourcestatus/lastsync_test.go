package sourcestatus

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestNewestApplied(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	record := func(agentAt time.Time) *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: agentManager, Subresource: "status", Time: &metav1.Time{Time: agentAt}}})
		return u
	}
	tests := []struct {
		name     string
		agentAt  time.Time
		syncAt   time.Time
		wantMain string
		wantBy   string
	}{
		{"sync after the agent", t0, t0.Add(time.Minute), "bbbb", "kubectl-gitops sync"},
		{"agent after the sync", t0.Add(time.Minute), t0, "aaaa", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Source{LastAppliedCommit: "aaaa", LastSync: &LastSync{Commit: "bbbb", Time: metav1.NewTime(tt.syncAt)}}
			newestApplied(&s, record(tt.agentAt))
			if s.LastAppliedCommit != tt.wantMain || s.AppliedBy != tt.wantBy {
				t.Errorf("applied %s by %q, want %s by %q", s.LastAppliedCommit, s.AppliedBy, tt.wantMain, tt.wantBy)
			}
		})
	}
}
