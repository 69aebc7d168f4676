package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// layoutDirs are the conventional layout folders, in the order they are tried.
var layoutDirs = []string{"overlays", "apps", "clusters"}

// kustomizationFiles are the file names kustomize looks for in a folder.
var kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// notEnvironments are folder names that are never environments.
var notEnvironments = []string{"base", "bases", "components"}

// promotionOrder ranks well-known environment names; see rank.
var promotionOrder = []string{"dev", "development", "test", "qa", "staging", "stage", "preprod", "production", "prod"}

// discover finds the environments of the first layout that has any,
// returning them in promotion order and the layout's name: Flux's
// clusters/<env> folders holding Flux Kustomizations first (they name
// everything the cluster runs, apps and infrastructure), then the
// conventional layout folders, then Argo CD's application folders. It
// returns no environments, and no error, when no layout has any.
func discover(fsys fs.FS) ([]Environment, string, error) {
	envs, err := discoverFlux(fsys)
	if err != nil || len(envs) > 0 {
		return envs, LayoutFlux, err
	}
	envs, layout, err := discoverConventional(fsys)
	if err != nil || len(envs) > 0 {
		return envs, layout, err
	}
	envs, err = discoverArgoCD(fsys)
	if err != nil || len(envs) == 0 {
		return nil, "", err
	}
	return envs, LayoutArgoCD, nil
}

// discoverConventional finds the environments of the first conventional
// layout folder that has any.
func discoverConventional(fsys fs.FS) ([]Environment, string, error) {
	for _, dir := range layoutDirs {
		if fi, err := fs.Stat(fsys, dir); err != nil || !fi.IsDir() {
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, "", fmt.Errorf("conventional layout %s/: %w", dir, err)
			}
			continue
		}
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			return nil, "", fmt.Errorf("conventional layout %s/: %w", dir, err)
		}
		var (
			envs []Environment
			errs []error
		)
		for _, entry := range entries {
			name := entry.Name()
			if !entry.IsDir() || strings.HasPrefix(name, ".") || slices.Contains(notEnvironments, name) {
				continue
			}
			p := path.Join(dir, name)
			ok, err := hasKustomization(fsys, p)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				continue
			}
			if msgs := validation.IsDNS1123Label(name); len(msgs) > 0 {
				errs = append(errs, fmt.Errorf("%w: folder %s/ has a kustomization but %q is not a DNS label (%s); rename the folder, or list environments in %s",
					ErrInvalidName, p, name, strings.Join(msgs, "; "), FileName))
				continue
			}
			envs = append(envs, Environment{Name: name, Path: p})
		}
		if len(errs) > 0 {
			return nil, "", errors.Join(errs...)
		}
		if len(envs) > 0 {
			SortEnvironments(envs)
			return envs, dir, nil
		}
	}
	return nil, "", nil
}

// hasKustomization reports whether folder dir holds a kustomization file.
func hasKustomization(fsys fs.FS, dir string) (bool, error) {
	for _, name := range kustomizationFiles {
		fi, err := fs.Stat(fsys, path.Join(dir, name))
		switch {
		case err == nil && !fi.IsDir():
			return true, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return false, fmt.Errorf("conventional layout %s: %w", dir, err)
		}
	}
	return false, nil
}

// SortEnvironments sorts envs into the conventional promotion order (see
// the package documentation), by name.
func SortEnvironments(envs []Environment) {
	slices.SortStableFunc(envs, func(a, b Environment) int {
		if ra, rb := rank(a.Name), rank(b.Name); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// rank places an environment name in the promotion order: the well-known
// pre-production names first, in promotionOrder, then unknown names, then
// production and prod, then production variants (prod-eu).
func rank(name string) int {
	const unknown = 100
	if i := slices.Index(promotionOrder, name); i >= 0 {
		if i >= slices.Index(promotionOrder, "production") {
			return unknown + 1 + i
		}
		return i
	}
	if strings.HasPrefix(name, "prod-") || strings.HasPrefix(name, "production-") {
		return unknown + 1 + len(promotionOrder)
	}
	return unknown
}
