package admit

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gitward/gitward/pkg/provenance"
)

// Paths of the contract keys, for messages.
var (
	commitPath = Path{{Key: "metadata"}, {Key: "annotations"}, {Key: provenance.AnnotationCommit}}
	sourcePath = Path{{Key: "metadata"}, {Key: "labels"}, {Key: provenance.LabelSource}}
)

// rules returns the chain for the review's operation.
func (r *review) rules() []rule {
	switch {
	case r.unknownSource != "":
		return []rule{ruleUnknownSource}
	case r.sub == subUnknown:
		return []rule{ruleUnknownSubresource}
	case r.sub == subScale && r.req.Parent == nil:
		return []rule{ruleNoParent}
	case r.op == Delete:
		return []rule{ruleNotDeclaredAtHead}
	case r.op == Update:
		return []rule{ruleAgentManager, ruleAdopt, ruleCommit, ruleOnBranch, ruleAfterLive, ruleDeclared, ruleFields, ruleChanges, ruleDigest}
	}
	return []rule{ruleAgentManager, ruleCommit, ruleOnBranch, ruleDeclared, ruleFields, ruleChanges, ruleDigest}
}

// problem is a field.Error whose detail is the whole explanation.
func problem(p Path, detail string) *field.Error {
	f := ""
	if len(p) > 0 {
		f = p.String()
	}
	return &field.Error{Type: field.ErrorTypeForbidden, Field: f, Detail: detail}
}

// ruleNoParent denies a scale request whose object could not be read.
func ruleNoParent(context.Context, *review) ([]string, error) {
	return nil, deny(ReasonNoLiveObject, field.ErrorList{problem(nil,
		"the webhook could not read the object to check this scale request against Git")})
}

// ruleCommit requires a well-formed commit annotation. A create without one
// of an object Git does not declare at head is reported as such: that is the
// more useful message for `kubectl create`.
func ruleCommit(ctx context.Context, r *review) ([]string, error) {
	if s, ok := annotationOf(r.old, provenance.AnnotationCommit); ok {
		if c, err := provenance.ParseCommit(s); err == nil {
			r.liveCommit = c
		}
	}
	s, ok := annotationOf(r.obj, provenance.AnnotationCommit)
	if !ok {
		if r.op == Create || r.unlabelled {
			head, err := r.src.Head(ctx)
			if err != nil {
				return nil, err
			}
			r.head = head
			_, found, err := r.declared(ctx, head)
			if err != nil {
				return nil, err
			}
			if !found {
				return nil, deny(ReasonNotDeclared, field.ErrorList{problem(nil, fmt.Sprintf(
					"Git does not declare %s at the head of branch %s", r.kindName(), r.info.Branch))})
			}
		}
		return nil, deny(ReasonMissingCommit, field.ErrorList{problem(commitPath,
			"missing; a change to a managed object must name the Git commit it comes from")})
	}
	c, err := provenance.ParseCommit(s)
	if err != nil {
		return nil, deny(ReasonMissingCommit, field.ErrorList{problem(commitPath, err.Error())})
	}
	r.commit = c
	return nil, nil
}

// ruleOnBranch requires the commit to be reachable from the branch head.
func ruleOnBranch(ctx context.Context, r *review) ([]string, error) {
	ok, err := r.src.OnBranch(ctx, r.commit)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, deny(ReasonNotOnBranch, field.ErrorList{problem(commitPath, fmt.Sprintf(
			"commit %s is not on branch %s of %s (its first-parent history: the commits the branch itself "+
				"pointed at; a merged branch's commits count through their merge commit); only commits on the tracked branch are applied",
			r.commit.Short(), r.info.Branch, r.info.Repo))})
	}
	return nil, nil
}

// ruleDeclared loads Git's object at the commit and requires it to exist.
func ruleDeclared(ctx context.Context, r *review) ([]string, error) {
	obj, found, err := r.declared(ctx, r.commit)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, deny(ReasonNotDeclared, field.ErrorList{problem(nil, fmt.Sprintf(
			"Git does not declare %s at commit %s", r.kindName(), r.commit.Short()))})
	}
	r.git = obj
	return nil, nil
}

// ruleFields requires every field Git declares to have Git's value, and the
// source label to name the source.
func ruleFields(_ context.Context, r *review) ([]string, error) {
	errs := compareDeclared(r.git, r.obj.Object, r.ignore)
	switch got, ok := labelOf(r.obj); {
	case !ok:
		errs = append(errs, missing(sourcePath, r.info.Name))
	case got != r.info.Name:
		errs = append(errs, differs(sourcePath, r.info.Name, got))
	}
	return nil, deny(ReasonDiffers, errs)
}

// declared looks key up at c; a namespaced object rendered without a
// namespace is found under the empty namespace.
func (r *review) declared(ctx context.Context, c provenance.CommitID) (map[string]any, bool, error) {
	obj, found, err := r.src.Declared(ctx, c, r.key)
	if err != nil || found || r.key.Namespace == "" {
		return obj, found, err
	}
	k := r.key
	k.Namespace = ""
	obj, found, err = r.src.Declared(ctx, c, k)
	if found {
		if ns, _ := lookup(obj, Path{{Key: "metadata"}, {Key: "namespace"}}); ns != nil && ns != r.key.Namespace {
			return nil, false, err
		}
	}
	return obj, found, err
}

// kindName is "deployment/web" (no namespace).
func (r *review) kindName() string { return lower(r.key.Kind) + "/" + r.key.Name }

// ruleNotDeclaredAtHead admits a DELETE only if Git at head no longer
// declares the object. Before denying it refreshes once: the commit that
// removed the object may have been pushed a moment ago.
func ruleNotDeclaredAtHead(ctx context.Context, r *review) ([]string, error) {
	head, err := r.src.Head(ctx)
	if err != nil {
		return nil, err
	}
	r.head = head
	_, found, err := r.declared(ctx, head)
	if err != nil || !found {
		return nil, err
	}
	newHead, err := r.src.Refresh(ctx)
	if err != nil {
		return nil, err
	}
	if newHead != head {
		r.head = newHead
		if _, found, err = r.declared(ctx, newHead); err != nil || !found {
			return nil, err
		}
	}
	return nil, deny(ReasonStillDeclared, field.ErrorList{problem(nil, fmt.Sprintf(
		"Git still declares it at the head of branch %s", r.info.Branch))})
}

// ruleUnknownSource denies a request about an object whose source label
// names a source this webhook does not track: admitting it would let anyone
// take an object out of Git's hands by naming a made-up source.
func ruleUnknownSource(_ context.Context, r *review) ([]string, error) {
	return nil, deny(ReasonUnknownSource, field.ErrorList{problem(sourcePath, fmt.Sprintf(
		"names source %q, which this webhook does not track; use a source it tracks, or have it track %q",
		r.unknownSource, r.unknownSource))})
}

// ruleUnknownSubresource denies a subresource request the webhook cannot
// check against Git.
func ruleUnknownSubresource(_ context.Context, r *review) ([]string, error) {
	return nil, deny(ReasonUndeclared, field.ErrorList{problem(nil, fmt.Sprintf(
		"subresource %s of %s cannot be checked against Git", r.req.SubResource, r.req.Resource.Resource))})
}
