package agent

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/gitward/gitward/pkg/apply"
)

// ReasonAdopted is the Event reason of a takeover.
const ReasonAdopted = "Adopted"

// reportAdopted reports the objects an apply took over (they existed
// without the source label: made by hand, by kubectl or by Helm): an Event
// on each object and on the SourceState, and the status's adopted count and
// list, which name who had managed each object before. A cycle that adopts
// nothing leaves the last takeover's report in place.
func (s *Syncer) reportAdopted(st *Status, adopted []apply.Adoption) {
	if len(adopted) == 0 {
		return
	}
	st.Adopted = len(adopted)
	st.AdoptedObjects = adopted
	if len(adopted) > maxListed {
		st.AdoptedObjects = adopted[:maxListed:maxListed]
	}
	for _, a := range adopted {
		before := strings.Join(a.Managers, ", ")
		s.o.Log.Info("adopted", "source", s.o.Source.Name, "object", a.Ref.String(), "managedBefore", before)
		if s.o.Recorder != nil {
			s.o.Recorder.Eventf(objectRefOf(a), corev1.EventTypeNormal, ReasonAdopted,
				"adopted by gitward source %s (managed before by %s); changes now go through Git", s.o.Source.Name, before)
		}
	}
	s.event(corev1.EventTypeNormal, ReasonAdopted, "%s", adoptedSummary(adopted))
}

// adoptedSummary is "adopted 2 objects, managed before by helm (1),
// kubectl-create (2)".
func adoptedSummary(adopted []apply.Adoption) string {
	managers := map[string]int{}
	for _, a := range adopted {
		for _, m := range a.Managers {
			managers[m]++
		}
	}
	return fmt.Sprintf("adopted %d objects, managed before by %s", len(adopted), countList(managers))
}

// objectRefOf is the live object an adoption is about.
func objectRefOf(a apply.Adoption) *corev1.ObjectReference {
	return &corev1.ObjectReference{APIVersion: a.APIVersion, Kind: a.Ref.Kind, Namespace: a.Ref.Namespace,
		Name: a.Ref.Name, UID: a.UID}
}

// countList renders managers and how many objects each had written,
// sorted by name: "helm (1), kubectl-create (2)".
func countList(m map[string]int) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s (%d)", n, m[n])
	}
	return strings.Join(parts, ", ")
}
