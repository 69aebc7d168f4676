package promote

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/diff"
	"github.com/gitward/gitward/pkg/overlayfs"
	"github.com/gitward/gitward/pkg/render"
)

// Checker checks an environment as it will be after a change: fsys is the
// repository with the change applied and rendered is its rendering of env,
// made with render.Options{Origins: true} so that findings can name files.
// A Checker must not modify the rendered objects (NewPreview diffs them
// at the same time). A nil Checker in PreviewOptions means BuiltinCheck on
// the rendering. The cmd layer plugs in pkg/check (promotecheck).
type Checker interface {
	Check(ctx context.Context, fsys fs.FS, cfg *config.Config, env config.Environment, rendered *render.Result) error
}

// PreviewOptions say what to render.
type PreviewOptions struct {
	// Config is the repository's configuration.
	Config *config.Config
	// Env is the environment that changes.
	Env config.Environment
	// Target is the repository as it is (the working tree).
	Target fs.FS
	// Changes are the edits (nil content deletes).
	Changes map[string][]byte
	// Check, if not nil, replaces BuiltinCheck.
	Check Checker
	// Masker masks Secret values in the diff; nil: a new random one.
	Masker *diff.Masker
	// Render renders the environment; nil means kustomize only
	// (render.FS), without Flux and Argo CD expansion.
	Render RenderFunc
}

// Preview is an environment's rendering before and after a change.
type Preview struct {
	Before, After []*unstructured.Unstructured
	// BeforeErr is why the environment does not render as it is (the diff
	// then shows every object as new); nil when it renders.
	BeforeErr error
	// AfterResult is the rendering After comes from, with origins.
	AfterResult *render.Result
	// Diff is After compared with Before.
	Diff *diff.Result
	// After is the repository with the change applied.
	AfterFS fs.FS
}

// NewPreview renders o.Env before and after o.Changes (concurrently; no
// cluster needed; "after" once, with origins, for both the diff and the
// check), then diffs the two and checks the result, also concurrently. A
// failed check or a render error of the result wraps ErrCheckFailed.
func NewPreview(ctx context.Context, o PreviewOptions) (*Preview, error) {
	p := &Preview{AfterFS: overlayfs.New(o.Target, o.Changes)}
	var (
		wg     sync.WaitGroup
		before *render.Result
	)
	rf := o.Render
	if rf == nil {
		rf = render.FS
	}
	wg.Go(func() {
		before, p.BeforeErr = rf(ctx, o.Target, o.Env.Path, render.Options{SkipYAML: true})
	})
	after, afterErr := rf(ctx, p.AfterFS, o.Env.Path, render.Options{Origins: true, SkipYAML: true})
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if afterErr != nil {
		return nil, fmt.Errorf("%w: %s does not render after the change: %w", ErrCheckFailed, o.Env.Name, afterErr)
	}
	if p.BeforeErr == nil {
		p.Before = before.Objects
	}
	p.After, p.AfterResult = after.Objects, after
	var cerr error
	wg.Go(func() {
		if o.Check != nil {
			cerr = o.Check.Check(ctx, p.AfterFS, o.Config, o.Env, after)
		} else {
			cerr = BuiltinCheck(o.Env, p.After)
		}
	})
	d, err := diff.Objects(p.Before, p.After, diff.Options{Masker: o.Masker})
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", o.Env.Name, err)
	}
	p.Diff = d
	if cerr != nil {
		if !errors.Is(cerr, ErrCheckFailed) {
			cerr = fmt.Errorf("%w: %w", ErrCheckFailed, cerr)
		}
		return p, cerr
	}
	return p, nil
}

// BuiltinCheck is the check used without pkg/check: it refuses committed
// plaintext Secrets (kind Secret with data or stringData). Render errors
// are caught before it runs.
func BuiltinCheck(env config.Environment, objs []*unstructured.Unstructured) error {
	var bad []string
	for _, u := range objs {
		if u.GetKind() != "Secret" || u.GroupVersionKind().Group != "" {
			continue
		}
		data, _, _ := unstructured.NestedMap(u.Object, "data")
		str, _, _ := unstructured.NestedMap(u.Object, "stringData")
		if len(data)+len(str) > 0 {
			bad = append(bad, fmt.Sprintf("Secret %s/%s holds plaintext data; seal it (kubectl gitops seal) and commit the SealedSecret instead",
				u.GetNamespace(), u.GetName()))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s: %s", ErrCheckFailed, env.Name, strings.Join(bad, "; "))
	}
	return nil
}
