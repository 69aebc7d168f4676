package provenance

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Sentinel errors of Stamp and FromObject; the returned errors wrap them and
// name the object and the key.
var (
	// ErrInvalidSource: a source name that is empty or not a valid label value.
	ErrInvalidSource = errors.New("invalid source name")
	// ErrMissing: a contract label or annotation is absent.
	ErrMissing = errors.New("missing provenance key")
	// ErrMalformed: a contract label or annotation is present but ill-formed.
	ErrMalformed = errors.New("malformed provenance key")
)

// Record is the provenance an object carries: its source label, commit
// annotation and digest annotation.
type Record struct {
	Source string   // value of LabelSource
	Commit CommitID // value of AnnotationCommit
	Digest string   // value of AnnotationDigest, "sha256:<hex>"
}

// ValidateSource returns an error wrapping ErrInvalidSource unless source can
// be the value of LabelSource: non-empty and a valid label value.
func ValidateSource(source string) error {
	if source == "" {
		return fmt.Errorf("%w: it is empty", ErrInvalidSource)
	}
	if errs := validation.IsValidLabelValue(source); len(errs) > 0 {
		return fmt.Errorf("%w %s: %s", ErrInvalidSource, quoteTrunc(source, 80), strings.Join(errs, "; "))
	}
	return nil
}

// Stamp sets the contract on u: label LabelSource to source, annotation
// AnnotationCommit to c and annotation AnnotationDigest to the digest of u's
// content (which, by construction, does not depend on the three keys). It
// validates source and c first and leaves u unchanged on error. Other labels
// and annotations are kept.
func Stamp(u *unstructured.Unstructured, source string, c CommitID) error {
	if u == nil {
		return errors.New("stamp: nil object")
	}
	if err := ValidateSource(source); err != nil {
		return fmt.Errorf("stamp %s: %w", ObjectRef(u), err)
	}
	if _, err := ParseCommit(string(c)); err != nil {
		return fmt.Errorf("stamp %s: %w", ObjectRef(u), err)
	}
	d, err := Digest(u.Object)
	if err != nil {
		return fmt.Errorf("stamp %s: %w", ObjectRef(u), err)
	}
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelSource] = source
	u.SetLabels(labels)
	annotations := u.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[AnnotationCommit] = string(c)
	annotations[AnnotationDigest] = d
	u.SetAnnotations(annotations)
	return nil
}

// FromObject reads the provenance of u. Every problem is reported, joined:
// each error wraps ErrMissing or ErrMalformed and names the object (kind,
// namespace/name) and the key.
func FromObject(u *unstructured.Unstructured) (Record, error) {
	if u == nil {
		return Record{}, fmt.Errorf("%w: nil object", ErrMissing)
	}
	var (
		r    Record
		errs []error
	)
	ref := ObjectRef(u)
	source, ok := u.GetLabels()[LabelSource]
	switch {
	case !ok:
		errs = append(errs, fmt.Errorf("%s: %w: label %s is not set", ref, ErrMissing, LabelSource))
	case ValidateSource(source) != nil:
		errs = append(errs, fmt.Errorf("%s: %w: label %s: %w", ref, ErrMalformed, LabelSource, ValidateSource(source)))
	default:
		r.Source = source
	}
	annotations := u.GetAnnotations()
	if commit, ok := annotations[AnnotationCommit]; !ok {
		errs = append(errs, fmt.Errorf("%s: %w: annotation %s is not set", ref, ErrMissing, AnnotationCommit))
	} else if c, err := ParseCommit(commit); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w: annotation %s: %w", ref, ErrMalformed, AnnotationCommit, err))
	} else {
		r.Commit = c
	}
	if d, ok := annotations[AnnotationDigest]; !ok {
		errs = append(errs, fmt.Errorf("%s: %w: annotation %s is not set", ref, ErrMissing, AnnotationDigest))
	} else if !IsDigest(d) {
		errs = append(errs, fmt.Errorf("%s: %w: annotation %s is %s; want %q followed by 64 lowercase hex digits",
			ref, ErrMalformed, AnnotationDigest, quoteTrunc(d, 80), DigestPrefix))
	} else {
		r.Digest = d
	}
	return r, errors.Join(errs...)
}

// ObjectRef names u for messages: "Kind namespace/name", or "Kind name" for
// a cluster-scoped object, with the API group when it has one
// ("Deployment.apps prod/web").
func ObjectRef(u *unstructured.Unstructured) string {
	if u == nil {
		return "<nil>"
	}
	gvk := u.GroupVersionKind()
	kind := gvk.Kind
	if kind == "" {
		kind = "<no kind>"
	}
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	name := u.GetName()
	if name == "" {
		name = "<no name>"
	}
	if ns := u.GetNamespace(); ns != "" {
		return kind + " " + ns + "/" + name
	}
	return kind + " " + name
}
