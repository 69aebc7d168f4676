package promote

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
)

// kustomizationNames are the file names kustomize reads, in its order.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// kustomizationPair is a kustomization file of the source environment and
// the one at the same place in the target's folder.
type kustomizationPair struct {
	rel      string // folder relative to the environment folder ("." for its root)
	from, to string // file paths from the repository root
}

// findKustomization returns the kustomization file of folder dir, or "".
func findKustomization(fsys fs.FS, dir string) (string, error) {
	for _, n := range kustomizationNames {
		p := path.Join(dir, n)
		fi, err := fs.Stat(fsys, p)
		switch {
		case err == nil && fi.Mode().IsRegular():
			return p, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("read %s: %w", p, err)
		}
	}
	return "", nil
}

// pairKustomizations walks the source folder fromDir of src and pairs each
// kustomization file with the target's at the same relative folder under
// toDir of dst. Folders only the source has are returned in missing.
func pairKustomizations(src fs.FS, fromDir string, dst fs.FS, toDir string) (pairs []kustomizationPair, missing []string, err error) {
	err = fs.WalkDir(src, fromDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		if !d.IsDir() {
			return nil
		}
		from, err := findKustomization(src, p)
		if err != nil || from == "" {
			return err
		}
		rel := relTo(fromDir, p)
		to, err := findKustomization(dst, path.Join(toDir, rel))
		if err != nil {
			return err
		}
		if to == "" {
			missing = append(missing, rel)
			return nil
		}
		pairs = append(pairs, kustomizationPair{rel: rel, from: from, to: to})
		return nil
	})
	return pairs, missing, err
}

// relTo returns p relative to dir, both clean slash paths with p inside dir.
func relTo(dir, p string) string {
	switch {
	case p == dir:
		return "."
	case dir == ".":
		return p
	}
	return p[len(dir)+1:]
}
