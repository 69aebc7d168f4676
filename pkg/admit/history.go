package admit

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gitward/gitward/pkg/provenance"
)

// ruleAfterLive requires the live object's commit to be the request's
// commit or one of its ancestors: content only moves forward along the
// branch. A live commit that is malformed or unknown to the branch's
// history is not a pass: nothing shows the request is not a rollback.
func ruleAfterLive(ctx context.Context, r *review) ([]string, error) {
	s, ok := annotationOf(r.old, provenance.AnnotationCommit)
	if !ok {
		return nil, nil // never applied from Git (adopted): nothing to be older than
	}
	live, err := provenance.ParseCommit(s)
	if err != nil {
		return nil, deny(ReasonOlderCommit, field.ErrorList{problem(commitPath, fmt.Sprintf(
			"the live object's commit annotation is malformed (%v), so this request cannot be shown not to be a rollback; "+
				"restore it with break-glass", err))})
	}
	r.liveCommit = live
	if live == r.commit {
		return nil, nil
	}
	after, err := r.src.IsAncestor(ctx, live, r.commit)
	if err != nil {
		return nil, err
	}
	if !after {
		return nil, deny(ReasonOlderCommit, field.ErrorList{problem(commitPath, fmt.Sprintf(
			"commit %s does not descend from the live object's commit %s on branch %s (a rollback or a sideways move "+
				"outside Git, or a live commit the branch does not have); revert in Git instead",
			r.commit.Short(), live.Short(), r.info.Branch))})
	}
	return nil, nil
}
