package admitscope

import (
	"fmt"
	"os"
	"path/filepath"
)

// Generate returns every file generated from this package, for the
// checkout at root: the manifests, and SecurityDocPath with its scope
// section replaced (the rest of the page is read from root).
func Generate(root string) ([]File, error) {
	files, err := Manifests()
	if err != nil {
		return nil, err
	}
	doc, err := os.ReadFile(filepath.Join(root, SecurityDocPath))
	if err != nil {
		return nil, fmt.Errorf("admitscope: %w", err)
	}
	doc, err = ReplaceSecurityTable(doc)
	if err != nil {
		return nil, err
	}
	return append(files, File{Path: SecurityDocPath, Data: doc}), nil
}
