package agent

import (
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/client-go/tools/record"

	"github.com/gitward/gitward/pkg/apply"
)

func TestReportAdopted(t *testing.T) {
	rec := record.NewFakeRecorder(10)
	s := &Syncer{o: Options{Source: SourceSpec{Name: "production"}, Namespace: "gitward-system", Recorder: rec, Log: logr.Discard()}}
	st := &Status{}
	s.reportAdopted(st, nil)
	if st.Adopted != 0 || len(rec.Events) != 0 {
		t.Fatalf("nothing adopted: status %d, %d events", st.Adopted, len(rec.Events))
	}
	adopted := []apply.Adoption{
		{Ref: apply.Ref{Kind: "Namespace", Name: "shop"}, Managers: []string{"kubectl-create"}},
		{Ref: apply.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web"}, Managers: []string{"kube-controller-manager", "kubectl-create"}},
		{Ref: apply.Ref{Kind: "ConfigMap", Namespace: "shop", Name: "settings"}, Managers: []string{"helm"}},
	}
	s.reportAdopted(st, adopted)
	if st.Adopted != 3 || len(st.AdoptedObjects) != 3 {
		t.Errorf("status: adopted %d, %d objects; want 3", st.Adopted, len(st.AdoptedObjects))
	}
	var events []string
	for len(rec.Events) > 0 {
		events = append(events, <-rec.Events)
	}
	if len(events) != 4 {
		t.Fatalf("events %v, want one per object and one on the SourceState", events)
	}
	want := "Normal Adopted adopted 3 objects, managed before by helm (1), kube-controller-manager (1), kubectl-create (2)"
	if events[3] != want {
		t.Errorf("SourceState event %q, want %q", events[3], want)
	}
	if !strings.Contains(events[1], "managed before by kube-controller-manager, kubectl-create") {
		t.Errorf("object event %q does not name who managed it before", events[1])
	}
}
