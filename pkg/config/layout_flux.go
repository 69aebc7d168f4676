package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Layout names of the layouts read from Flux and Argo CD objects.
const (
	// LayoutFlux: clusters/<env> folders holding Flux Kustomization
	// objects (flux bootstrap's layout); Flux generates a kustomization
	// for a folder without one, and so does gitward.
	LayoutFlux = "clusters"
	// LayoutArgoCD: folders holding Argo CD Applications, or the
	// application folders of an Argo CD example-style repository.
	LayoutArgoCD = "."
)

// maxScanBytes bounds a YAML file read while looking for Flux and Argo CD
// objects.
const maxScanBytes = 1 << 20

// discoverFlux finds clusters/<env> folders that hold Flux Kustomization
// objects (in their YAML files, not below a sub-folder of their own
// kustomization such as flux-system/). They are environments whether or
// not they have a kustomization file: Flux renders them either way.
func discoverFlux(fsys fs.FS) ([]Environment, error) {
	entries, err := fs.ReadDir(fsys, "clusters")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("layout clusters/: %w", err)
	}
	var envs []Environment
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := path.Join("clusters", e.Name())
		found, err := holdsKind(fsys, dir, isFluxKustomization, 2)
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		if msgs := validation.IsDNS1123Label(e.Name()); len(msgs) > 0 {
			return nil, fmt.Errorf("%w: folder %s/ holds Flux Kustomizations but %q is not a DNS label (%s); rename the folder, or list environments in %s",
				ErrInvalidName, dir, e.Name(), strings.Join(msgs, "; "), FileName)
		}
		envs = append(envs, Environment{Name: e.Name(), Path: dir})
	}
	SortEnvironments(envs)
	return envs, nil
}

// discoverArgoCD finds, for a repository with no other layout, the
// folders Argo CD Applications deploy: every top-level folder that is a
// Helm chart (Chart.yaml), a kustomization or a folder of Kubernetes YAML
// (Argo CD's directory source), one environment each, named by the folder (argoproj/argocd-example-apps' layout). Folders named
// like a layout's base are left out.
func discoverArgoCD(fsys fs.FS) ([]Environment, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	var envs []Environment
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") || name == "policies" || name == "base" || name == "components" {
			continue
		}
		isChart := exists(fsys, path.Join(name, "Chart.yaml"))
		isKust, err := hasKustomization(fsys, name)
		if err != nil {
			return nil, err
		}
		isDir := false
		if !isChart && !isKust {
			if isDir, err = holdsKind(fsys, name, func(a, k string) bool { return a != "" && k != "" }, 1); err != nil {
				return nil, err
			}
		}
		if !isChart && !isKust && !isDir {
			continue
		}
		if len(validation.IsDNS1123Label(name)) > 0 {
			continue
		}
		envs = append(envs, Environment{Name: name, Path: name})
	}
	return envs, nil
}

func exists(fsys fs.FS, p string) bool {
	fi, err := fs.Stat(fsys, p)
	return err == nil && !fi.IsDir()
}

func isFluxKustomization(apiVersion, kind string) bool {
	return strings.HasPrefix(apiVersion, "kustomize.toolkit.fluxcd.io/") && kind == "Kustomization"
}

// holdsKind reports whether a YAML file in dir (and its sub-folders, depth
// levels down, not into folders with a kustomization of their own) holds
// an object match accepts. Files that are not YAML objects are skipped.
func holdsKind(fsys fs.FS, dir string, match func(apiVersion, kind string) bool, depth int) (bool, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return false, fmt.Errorf("layout %s/: %w", dir, err)
	}
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		if e.IsDir() {
			if depth <= 1 || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if own, _ := hasKustomization(fsys, p); own {
				continue
			}
			if ok, err := holdsKind(fsys, p, match, depth-1); ok || err != nil {
				return ok, err
			}
			continue
		}
		if ext := path.Ext(p); ext != ".yaml" && ext != ".yml" {
			continue
		}
		if fi, err := e.Info(); err != nil || fi.Size() > maxScanBytes || !fi.Mode().IsRegular() {
			continue
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return false, fmt.Errorf("layout %s: %w", p, err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var head struct {
				APIVersion string `yaml:"apiVersion"`
				Kind       string `yaml:"kind"`
			}
			if err := dec.Decode(&head); err != nil {
				break // end of the file, or not YAML objects: skipped
			}
			if match(head.APIVersion, head.Kind) {
				return true, nil
			}
		}
	}
	return false, nil
}
