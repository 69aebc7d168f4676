package sourcestatus

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/provenance"
)

// agentManager is the field manager of the agent's status writes.
const agentManager = "gitward-agent"

// LastSync is what the last `kubectl gitops sync` applied, kept in
// status.lastSync of the source's SourceState (the status preserves
// unknown fields, and the agent merge-patches only its own).
type LastSync struct {
	Commit string      `json:"commit"`
	Time   metav1.Time `json:"time"`
}

// RecordSync writes status.lastSync after a sync applied commit, with the
// sync's own field manager, so that status can tell which of the agent and
// the sync applied last.
func RecordSync(ctx context.Context, c dynamic.Interface, namespace, source, commit string, now time.Time) error {
	if err := inventory.EnsureRecord(ctx, c, namespace, source); err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"status": map[string]any{"lastSync": LastSync{Commit: commit, Time: metav1.NewTime(now)}}})
	if err != nil {
		return err
	}
	if _, err := c.Resource(inventory.GVR).Namespace(namespace).Patch(ctx, source, types.MergePatchType, body,
		metav1.PatchOptions{FieldManager: provenance.SyncFieldManager}, "status"); err != nil {
		return fmt.Errorf("record the sync of %s in %s %s/%s: %w", source, inventory.Kind, namespace, source, err)
	}
	return nil
}

// newestApplied makes s.LastAppliedCommit the sync's commit when a sync
// wrote the status after the agent last did: the cluster then runs what the
// sync applied, not what the agent last applied.
func newestApplied(s *Source, u *unstructured.Unstructured) {
	if s.LastSync == nil || s.LastSync.Commit == "" || s.LastSync.Commit == s.LastAppliedCommit {
		return
	}
	var agent time.Time
	for _, f := range u.GetManagedFields() {
		if f.Manager == agentManager && f.Subresource == "status" && f.Time != nil && f.Time.After(agent) {
			agent = f.Time.Time
		}
	}
	if s.LastSync.Time.Time.Before(agent) {
		return
	}
	s.AgentAppliedCommit = s.LastAppliedCommit
	s.LastAppliedCommit = s.LastSync.Commit
	s.AppliedBy = provenance.SyncFieldManager + " sync"
}
