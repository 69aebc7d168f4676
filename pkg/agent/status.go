package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/inventory"
)

// Condition types of a SourceState.
const (
	CondFetched  = "Fetched"
	CondVerified = "Verified"
	CondRendered = "Rendered"
	CondApplied  = "Applied"
	CondPruned   = "Pruned"
	CondReady    = "Ready"
)

// Reasons of the Ready condition.
const (
	ReasonSynced           = "Synced"
	ReasonFetchFailed      = "FetchFailed"
	ReasonSignatureInvalid = "SignatureInvalid"
	ReasonRenderFailed     = "RenderFailed"
	ReasonApplyFailed      = "ApplyFailed"
	ReasonPruneFailed      = "PruneFailed"
	ReasonDrifted          = "Drifted"
	ReasonOutOfSync        = "OutOfSync" // detect-only: changes not applied
)

// maxListed bounds the objects a status lists by name.
const maxListed = 50

// Status is the status of one source, as stored in its SourceState.
type Status struct {
	Repo   string `json:"repo,omitempty"`
	Branch string `json:"branch,omitempty"`
	Path   string `json:"path,omitempty"`
	Mode   string `json:"mode,omitempty"`
	// Head is the branch head last fetched.
	Head string `json:"head,omitempty"`
	// LastAppliedCommit is the last commit applied without failures.
	LastAppliedCommit string `json:"lastAppliedCommit,omitempty"`
	// LastAttemptedCommit is the commit of the last cycle.
	LastAttemptedCommit string `json:"lastAttemptedCommit,omitempty"`
	// Counts of the last cycle; Managed is the size of the inventory.
	Applied int `json:"applied"`
	Pruned  int `json:"pruned"`
	Failed  int `json:"failed"`
	Drifted int `json:"drifted"`
	Managed int `json:"managed"`
	// Adopted counts the objects the last cycle took over; AdoptedObjects
	// lists them with who had managed them before. Both stay until a cycle
	// adopts again, so the takeover remains readable.
	Adopted        int              `json:"adopted,omitempty"`
	AdoptedObjects []apply.Adoption `json:"adoptedObjects,omitempty"`
	// DriftedObjects lists drifted objects and who changed them.
	DriftedObjects []apply.Drift `json:"driftedObjects,omitempty"`
	// FailedObjects lists the errors of failed objects (at most 50).
	FailedObjects []string `json:"failedObjects,omitempty"`
	// PendingObjects lists, in detect-only mode, the objects out of sync.
	PendingObjects []string `json:"pendingObjects,omitempty"`
	// PrunePending lists objects kept from pruning and why.
	PrunePending []string           `json:"prunePending,omitempty"`
	Conditions   []metav1.Condition `json:"conditions,omitempty"`
	LastError    string             `json:"lastError,omitempty"`
}

// setCondition sets a condition, keeping its transition time when its
// status did not change.
func (st *Status) setCondition(typ string, ok bool, reason, msg string) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	if len(msg) > 1024 {
		msg = msg[:1021] + "..."
	}
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg})
}

// writeStatus merges st into the SourceState's status when it differs from
// what was last written.
func (s *Syncer) writeStatus(ctx context.Context, st *Status) error {
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if bytes.Equal(body, s.lastStatus) {
		return nil
	}
	if err := inventory.EnsureRecord(ctx, s.dyn, s.o.Namespace, s.o.Source.Name); err != nil {
		return err
	}
	// Null out the optional lists first so a merge patch removes old entries.
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return err
	}
	for _, k := range []string{"driftedObjects", "failedObjects", "pendingObjects", "prunePending", "lastError"} {
		if _, ok := m[k]; !ok {
			m[k] = nil
		}
	}
	patch, err := json.Marshal(map[string]any{"status": m})
	if err != nil {
		return err
	}
	if _, err := s.dyn.Resource(inventory.GVR).Namespace(s.o.Namespace).Patch(ctx, s.o.Source.Name,
		types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "gitward-agent"}, "status"); err != nil {
		return fmt.Errorf("write status of source %q: %w", s.o.Source.Name, err)
	}
	s.lastStatus = body
	return nil
}

// listed returns at most maxListed strings.
func listed(items []string) []string {
	if len(items) > maxListed {
		rest := len(items) - maxListed
		items = append(items[:maxListed:maxListed], fmt.Sprintf("... and %d more", rest))
	}
	return items
}
