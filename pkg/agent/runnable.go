package agent

import (
	"context"

	"github.com/go-git/go-git/v5/plumbing"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/gitward/gitward/pkg/inventory"
)

// Start runs the Syncer until ctx ends; with NeedLeaderElection it makes
// the Syncer a leader-elected controller-runtime Runnable, so that two
// replicas never apply at once.
func (s *Syncer) Start(ctx context.Context) error {
	s.loadStatus(ctx)
	return s.Run(ctx)
}

// NeedLeaderElection reports true: only the leader syncs.
func (s *Syncer) NeedLeaderElection() bool { return true }

// loadStatus resumes from the status a previous run left in the
// SourceState: the last applied commit and the conditions.
func (s *Syncer) loadStatus(ctx context.Context) {
	u, err := s.dyn.Resource(inventory.GVR).Namespace(s.o.Namespace).Get(ctx, s.o.Source.Name, metav1.GetOptions{})
	if err != nil {
		if !apierrors.IsNotFound(err) {
			s.o.Log.Error(err, "read previous status", "source", s.o.Source.Name)
		}
		return
	}
	raw, ok, _ := unstructured.NestedMap(u.Object, "status")
	if !ok {
		return
	}
	delete(raw, "inventory")
	var st Status
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &st); err != nil {
		return
	}
	s.status = st
	if h := plumbing.NewHash(st.LastAppliedCommit); st.LastAppliedCommit != "" {
		s.lastApplied = h
	}
}
