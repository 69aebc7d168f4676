package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/go-git/go-billy/v5/memfs"
	clipolicy "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/policy"
	"github.com/kyverno/kyverno/pkg/config"
	policyvalidation "github.com/kyverno/kyverno/pkg/validation/policy"
)

// Load reads the policies in fsys at the given slash paths. A path may name
// a file or a folder; a folder is walked recursively for .yaml, .yml and
// .json files, skipping names that start with a dot, as the kyverno CLI
// does. A missing path is an error naming it.
func Load(fsys fs.FS, paths ...string) (*Set, error) {
	set := &Set{}
	for _, p := range paths {
		p = path.Clean(strings.TrimPrefix(p, "./"))
		err := fs.WalkDir(fsys, p, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if name != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !isPolicyFile(name) {
				return nil
			}
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return err
			}
			s, err := Parse(name, data)
			if err != nil {
				return err
			}
			set.Merge(s)
			return nil
		})
		if err != nil {
			if errors.Is(err, ErrLoad) {
				return nil, err
			}
			return nil, fmt.Errorf("%w from %s: %w", ErrLoad, p, err)
		}
	}
	return set, nil
}

func isPolicyFile(name string) bool {
	switch path.Ext(name) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// Parse reads the policies in one file's content; file names the file in
// errors, warnings and results. Documents that are not Kubernetes objects
// of a known kind become warnings; a policy with an unknown field is an
// error, as in the kyverno CLI.
func Parse(file string, data []byte) (*Set, error) {
	mfs := memfs.New()
	f, err := mfs.Create(file)
	if err != nil {
		return nil, fmt.Errorf("%w from %s: %w", ErrLoad, file, err)
	}
	if _, err := f.Write(data); err != nil {
		return nil, fmt.Errorf("%w from %s: %w", ErrLoad, file, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("%w from %s: %w", ErrLoad, file, err)
	}
	res, err := clipolicy.Load(mfs, "", file)
	if err != nil {
		return nil, fmt.Errorf("%w from %s: %w", ErrLoad, file, err)
	}
	set := &Set{}
	for _, e := range res.NonFatalErrors {
		set.warnings = append(set.warnings, Warning{File: file, Message: e.Error.Error()})
	}
	for _, w := range res.Warnings {
		set.warnings = append(set.warnings, Warning{File: file, Message: w.Warning})
	}
	// It's hard to use apply with a fake client; the CLI's loader already
	// turned server-side apply off on every policy.
	sa := config.KyvernoUserName(config.KyvernoServiceAccountName())
	for _, p := range res.Policies {
		info := Info{Kind: p.GetKind(), Namespace: p.GetNamespace(), Name: p.GetName(), File: file}
		if _, err := policyvalidation.Validate(p, nil, nil, true, sa, sa); err != nil {
			set.invalid = append(set.invalid, Invalid{Info: info, Err: err})
			continue
		}
		set.policies = append(set.policies, p)
		set.add(info)
	}
	for _, p := range res.ValidatingPolicies {
		set.vpols = append(set.vpols, p)
		set.add(Info{Kind: kindOr(p.GetKind(), "ValidatingPolicy"), Namespace: p.GetNamespace(), Name: p.GetName(), File: file})
	}
	for _, p := range res.MutatingPolicies {
		set.mpols = append(set.mpols, p)
		set.add(Info{Kind: kindOr(p.GetKind(), "MutatingPolicy"), Namespace: p.GetNamespace(), Name: p.GetName(), File: file})
	}
	for _, p := range res.VAPs {
		set.vaps = append(set.vaps, p)
		set.add(Info{Kind: "ValidatingAdmissionPolicy", Name: p.GetName(), File: file})
	}
	set.vapBindings = append(set.vapBindings, res.VAPBindings...)
	for _, p := range res.MAPs {
		set.maps = append(set.maps, p)
		set.add(Info{Kind: "MutatingAdmissionPolicy", Name: p.GetName(), File: file})
	}
	set.mapBindings = append(set.mapBindings, res.MAPBindings...)
	set.exceptions = append(set.exceptions, res.PolicyExceptions...)
	set.celExceptions = append(set.celExceptions, res.PolicyCelExceptions...)
	unsupported := func(kind string, n int) {
		if n > 0 {
			set.warnings = append(set.warnings, Warning{File: file, Message: fmt.Sprintf("%d %s not evaluated (not supported by git gitops check)", n, kind)})
		}
	}
	unsupported("ImageValidatingPolicy", len(res.ImageValidatingPolicies))
	unsupported("GeneratingPolicy", len(res.GeneratingPolicies))
	unsupported("DeletingPolicy", len(res.DeletingPolicies))
	unsupported("CleanupPolicy", len(res.CleanupPolicies))
	unsupported("authorization ValidatingPolicy", len(res.EnvoyPolicies)+len(res.HTTPPolicies))
	return set, nil
}

func kindOr(kind, def string) string {
	if kind == "" {
		return def
	}
	return kind
}
