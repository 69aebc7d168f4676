package seal

import (
	"fmt"
	"os"
	"path/filepath"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
)

// Merge returns a copy of into with update's encrypted keys added or
// replaced, and update's template labels, annotations and data merged in,
// as `kubeseal --merge-into` does. Both must be sealed for the same name,
// namespace and scope, or ErrScopeMismatch.
func Merge(into, update *ssv1alpha1.SealedSecret) (*ssv1alpha1.SealedSecret, error) {
	what := objectName("SealedSecret", into.Namespace, into.Name)
	if into.Name != update.Name || into.Namespace != update.Namespace {
		return nil, fmt.Errorf("%s: %w: the new values are sealed for %s",
			what, ErrScopeMismatch, objectName("SealedSecret", update.Namespace, update.Name))
	}
	if a, b := ScopeOf(into), ScopeOf(update); a != b {
		return nil, fmt.Errorf("%s: %w: the file is sealed %s, the new values %s",
			what, ErrScopeMismatch, ScopeName(a), ScopeName(b))
	}
	out := into.DeepCopy()
	out.Spec.EncryptedData = mergeMap(out.Spec.EncryptedData, update.Spec.EncryptedData)
	t := &out.Spec.Template
	t.Labels = mergeMap(t.Labels, update.Spec.Template.Labels)
	t.Annotations = mergeMap(t.Annotations, update.Spec.Template.Annotations)
	t.Data = mergeMap(t.Data, update.Spec.Template.Data)
	return out, nil
}

func mergeMap[M ~map[string]string](dst, src M) M {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = M{}
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}

// WriteFileAtomic replaces path with data: it writes a temporary file in the
// same folder, syncs it, gives it path's permissions, and renames it over
// path. On any error path is left as it was and the temporary file removed.
func WriteFileAtomic(path string, data []byte) (err error) {
	mode := os.FileMode(0o644)
	if fi, statErr := os.Stat(path); statErr == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
