package diff

import (
	"context"
	"errors"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/provenance"
)

// compareItems classifies each item: created when not live, unchanged when
// its declared fields equal the live ones, else dry-run and compared.
func compareItems(ctx context.Context, items []*item, o *LiveOptions) (*Result, error) {
	res := &Result{}
	var candidates []*item
	var applied []*unstructured.Unstructured
	for _, it := range items {
		want, err := stamped(it, o)
		if err != nil {
			return nil, err
		}
		if it.live == nil {
			d, _, err := compare(it.key, nil, want, &o.Diff)
			if err != nil {
				return nil, err
			}
			res.Objects = append(res.Objects, d)
			continue
		}
		if declaredEqual(asServerSees(want).Object, it.live.Object, "", false) {
			res.Unchanged++
			continue
		}
		candidates = append(candidates, it)
		applied = append(applied, want)
	}
	var (
		mu   sync.Mutex
		errs []error
		done int
	)
	forEach(ctx, len(candidates), o.Concurrency, func(i int) {
		it := candidates[i]
		after, err := dryRun(ctx, it, applied[i], o)
		var d ObjectDiff
		changed := false
		if err == nil {
			d, changed, err = compare(it.key, it.live, after, &o.Diff)
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		o.Progress("dry-run", done, len(candidates))
		switch {
		case err != nil:
			errs = append(errs, err)
		case changed:
			res.Objects = append(res.Objects, d)
		default:
			res.Unchanged++
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	res.sort()
	return res, nil
}

// stamped returns the object to apply: with Source, the desired object
// stamped with the contract as the agent stamps it (the commit annotation
// moves only when the content does); without, carrying the live object's
// contract keys so that the comparison does not show them removed.
func stamped(it *item, o *LiveOptions) (*unstructured.Unstructured, error) {
	u := it.desired.DeepCopy()
	liveAnn := map[string]string{}
	if it.live != nil {
		liveAnn = it.live.GetAnnotations()
	}
	labels, ann := u.GetLabels(), u.GetAnnotations()
	if labels == nil {
		labels = map[string]string{}
	}
	if ann == nil {
		ann = map[string]string{}
	}
	if o.Source == "" {
		if it.live == nil {
			return u, nil
		}
		if s, ok := provenance.SourceOf(it.live); ok {
			labels[provenance.LabelSource] = s
		}
		for _, k := range []string{provenance.AnnotationCommit, provenance.AnnotationDigest} {
			if v, ok := liveAnn[k]; ok {
				ann[k] = v
			}
		}
	} else {
		digest, err := provenance.DigestUnstructured(it.desired)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", it.key, err)
		}
		labels[provenance.LabelSource] = o.Source
		ann[provenance.AnnotationDigest] = digest
		commit := string(o.Commit)
		if c, ok := liveAnn[provenance.AnnotationCommit]; ok && (commit == "" || liveAnn[provenance.AnnotationDigest] == digest) {
			commit = c
		}
		if commit != "" {
			ann[provenance.AnnotationCommit] = commit
		}
	}
	if len(labels) > 0 {
		u.SetLabels(labels)
	}
	if len(ann) > 0 {
		u.SetAnnotations(ann)
	}
	return u, nil
}

// dryRun server-side-applies want with dryRun=All and returns the result.
func dryRun(ctx context.Context, it *item, want *unstructured.Unstructured, o *LiveOptions) (*unstructured.Unstructured, error) {
	out, err := o.Dynamic.Resource(it.gvr).Namespace(want.GetNamespace()).Apply(ctx, want.GetName(), want,
		metav1.ApplyOptions{FieldManager: o.FieldManager, Force: true, DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		return nil, objectError(it, "server-side dry-run apply", err)
	}
	return out, nil
}

// objectError names the object; for a Secret it keeps only the status reason
// and the field names, never the server's message, which may quote a value.
func objectError(it *item, what string, err error) error {
	if !isSecret(it.desired) {
		return fmt.Errorf("%s: %s: %w", it.key, what, err)
	}
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		return fmt.Errorf("%s: %s failed (message withheld: it may hold Secret values)", it.key, what)
	}
	s := st.Status()
	msg := fmt.Sprintf("%s: %s: %s (HTTP %d; message withheld: it may hold Secret values)", it.key, what, s.Reason, s.Code)
	if s.Details != nil {
		for _, c := range s.Details.Causes {
			msg += fmt.Sprintf("; field %s: %s", c.Field, c.Type)
		}
	}
	return errors.New(msg)
}
