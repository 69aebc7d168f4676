package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
)

// resource returns the client for it's resource and namespace.
func (a *Applier) resource(it *item) dynamic.ResourceInterface {
	ri := a.o.Dynamic.Resource(it.mapping.Resource)
	if it.mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return ri.Namespace(it.ref.Namespace)
	}
	return ri
}

// metaResource returns the metadata client for it's resource and namespace.
func (a *Applier) metaResource(it *item) metadata.ResourceInterface {
	ri := a.o.Metadata.Resource(it.mapping.Resource)
	if it.mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return ri.Namespace(it.ref.Namespace)
	}
	return ri
}

// apply server-side-applies it, remembers its managed fields as clean and
// returns them. The request body is the object's JSON (apply-patch+yaml accepts JSON);
// the answer is asked for as PartialObjectMetadata in protobuf, which is all
// Apply keeps of it and much cheaper to encode and decode than the object.
func (a *Applier) apply(ctx context.Context, it *item) (*metav1.PartialObjectMetadata, error) {
	body, err := json.Marshal(it.Object.Object.Object)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidObject, err)
	}
	force := a.o.Force
	out, err := a.metaResource(it).Patch(ctx, it.ref.Name, types.ApplyPatchType, body, metav1.PatchOptions{
		FieldManager:    a.o.FieldManager,
		Force:           &force,
		FieldValidation: a.o.FieldValidation,
	})
	if err != nil {
		if apierrors.IsNotFound(err) {
			// An apply creates what is missing, so a 404 is about the path:
			// a resource the server no longer serves at the mapped version
			// (a CRD changed), or a missing namespace. The next cycle maps
			// again instead of reusing a stale mapping for ever.
			a.forgetMappings()
		}
		return nil, applyError(err)
	}
	a.remember(out.UID, out.ManagedFields)
	return out, nil
}

// applyError turns a field manager conflict into ErrConflict naming the
// managers and fields; other errors are returned as they are.
func applyError(err error) error {
	if managers, fields, ok := conflictOf(err); ok {
		return fmt.Errorf("%w: fields %s are owned by %s; set force-conflicts or change them in Git: %v",
			ErrConflict, strings.Join(fields, ", "), strings.Join(managers, ", "), err)
	}
	return err
}

// conflictOf extracts the managers and fields of a server-side apply
// conflict.
func conflictOf(err error) (managers, fields []string, ok bool) {
	var status apierrors.APIStatus
	if !apierrors.IsConflict(err) || !errors.As(err, &status) {
		return nil, nil, false
	}
	details := status.Status().Details
	if details == nil {
		return nil, nil, false
	}
	seen := map[string]bool{}
	for _, c := range details.Causes {
		if c.Type != metav1.CauseTypeFieldManagerConflict {
			continue
		}
		ok = true
		fields = append(fields, c.Field)
		if m := quoted(c.Message); m != "" && !seen[m] {
			seen[m] = true
			managers = append(managers, m)
		}
	}
	sort.Strings(managers)
	return managers, fields, ok
}

// quoted returns the first double-quoted word of s: the manager of a
// conflict message `conflict with "kubectl-edit" using apps/v1`.
func quoted(s string) string {
	_, rest, ok := strings.Cut(s, `"`)
	if !ok {
		return ""
	}
	m, _, ok := strings.Cut(rest, `"`)
	if !ok {
		return ""
	}
	return m
}

// remember records the managed fields of a freshly applied object as clean.
func (a *Applier) remember(uid types.UID, managed []metav1.ManagedFieldsEntry) {
	if uid == "" {
		return
	}
	a.markClean(uid, a.fingerprintOf(specManagers(managed)))
}
