package expand

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/yaml"
)

// hasKustomization reports whether folder dir of fsys holds a
// kustomization file.
func hasKustomization(fsys fs.FS, dir string) bool {
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		if fi, err := fs.Stat(fsys, path.Join(dir, n)); err == nil && !fi.IsDir() {
			return true
		}
	}
	return false
}

// generateKustomization lays over dir, which has no kustomization, the one
// Flux's kustomize-controller generates: every .yaml/.yml file below dir,
// and every sub-folder that has a kustomization of its own (not descended
// into). With recurse false (Argo CD's plain directory source, its
// default) only the files directly in dir count, and .json files too.
func generateKustomization(o *overlayFS, dir string, recurse bool) error {
	var resources []string
	err := fs.WalkDir(o, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel := strings.TrimPrefix(p, dir+"/")
		if dir == "." {
			rel = p
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			if hasKustomization(o, p) && recurse {
				resources = append(resources, rel)
				return fs.SkipDir
			}
			if !recurse {
				return fs.SkipDir
			}
			return nil
		}
		ext := path.Ext(p)
		if ext == ".yaml" || ext == ".yml" || (!recurse && ext == ".json") {
			data, err := fs.ReadFile(o, p)
			if err != nil {
				return err
			}
			if !isManifest(data) {
				return nil
			}
			resources = append(resources, rel)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("generate a kustomization for %s: %w", dir, err)
	}
	if len(resources) == 0 {
		return fmt.Errorf("folder %s has no kustomization and no Kubernetes YAML files: %w", dir, fs.ErrNotExist)
	}
	b, err := yaml.Marshal(map[string]any{
		"apiVersion": "kustomize.config.k8s.io/v1beta1",
		"kind":       "Kustomization",
		"resources":  resources,
	})
	if err != nil {
		return err
	}
	o.Set(path.Join(dir, "kustomization.yaml"), b)
	return nil
}

// isManifest reports whether a YAML file holds Kubernetes objects (or only
// comments, which kustomize reads as none); a values file or any other YAML
// without apiVersion and kind is not one. Flux fails on such a file; here
// it is left out, so that a chart's values files beside manifests do not
// break the folder.
func isManifest(data []byte) bool {
	for _, doc := range splitDocs(data) {
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return false
		}
		if m == nil {
			continue
		}
		if _, ok := m["apiVersion"]; !ok {
			return false
		}
		if _, ok := m["kind"]; !ok {
			return false
		}
	}
	return true
}

// splitDocs splits a multi-document YAML stream.
func splitDocs(data []byte) [][]byte {
	var out [][]byte
	cur := []string{}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimRight(line, " \t\r") == "---" {
			out = append(out, []byte(strings.Join(cur, "\n")))
			cur = cur[:0]
			continue
		}
		cur = append(cur, line)
	}
	out = append(out, []byte(strings.Join(cur, "\n")))
	return out
}
