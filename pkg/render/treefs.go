package render

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// treeFS is kustomize's filesys.FileSystem over an fs.FS. kustomize sees
// the root at the absolute path prefix; every path is mapped to a slash path
// inside the fs.FS and resolved by the resolver, so symlinks are followed
// only inside the root. It is read-only and not safe for concurrent use.
type treeFS struct {
	ctx    context.Context
	res    *resolver
	prefix string // absolute path at which kustomize sees the root
	// overrides replaces the content of files (resolved slash path).
	overrides map[string][]byte
	// cloneDirs, when not empty, is the path prefix of kustomize's
	// temporary clones of remote bases; those live on disk.
	cloneDirs string
	disk      filesys.FileSystem
	// violation is the first root escape seen; kustomize sometimes
	// swallows file system errors, the render must not.
	violation error
}

var _ filesys.FileSystem = (*treeFS)(nil)

// abs is the path at which kustomize sees rel (a slash path in the tree).
func (t *treeFS) abs(rel string) string {
	return filepath.Join(t.prefix, filepath.FromSlash(rel))
}

// toRel maps a path kustomize uses to a clean slash path in the tree.
func (t *treeFS) toRel(p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(t.prefix, p)
	}
	p = filepath.Clean(p)
	if p == t.prefix {
		return ".", nil
	}
	if rel, ok := strings.CutPrefix(p, t.prefix+string(filepath.Separator)); ok {
		return filepath.ToSlash(rel), nil
	}
	shown, err := filepath.Rel(t.prefix, p)
	if err != nil {
		shown = p
	}
	return "", fmt.Errorf("%q: %w", filepath.ToSlash(shown), ErrEscapesRoot)
}

// onDisk reports whether p is inside one of kustomize's remote clones.
func (t *treeFS) onDisk(p string) bool {
	return t.cloneDirs != "" && strings.HasPrefix(filepath.Clean(p), t.cloneDirs)
}

// lookup resolves p to a symlink-free slash path in the tree.
func (t *treeFS) lookup(p string) (string, fs.FileInfo, error) {
	rel, err := t.toRel(p)
	if err == nil {
		var info fs.FileInfo
		rel, info, err = t.res.resolve(rel)
		if err == nil {
			return rel, info, nil
		}
	}
	if isEscape(err) && t.violation == nil {
		t.violation = err
	}
	return "", nil, err
}

// Open opens the named file for reading.
func (t *treeFS) Open(p string) (filesys.File, error) {
	if t.onDisk(p) {
		return t.disk.Open(p)
	}
	if err := t.ctx.Err(); err != nil {
		return nil, err
	}
	rel, _, err := t.lookup(p)
	if err != nil {
		return nil, err
	}
	f, err := t.res.fsys.Open(rel)
	if err != nil {
		return nil, err
	}
	return readOnlyFile{File: f, name: p}, nil
}

// ReadFile returns the contents of the file at p.
func (t *treeFS) ReadFile(p string) ([]byte, error) {
	if t.onDisk(p) {
		return t.disk.ReadFile(p)
	}
	if err := t.ctx.Err(); err != nil {
		return nil, err
	}
	rel, info, err := t.lookup(p)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: rel, Err: fmt.Errorf("is a directory")}
	}
	if data, ok := t.overrides[rel]; ok {
		return append([]byte(nil), data...), nil
	}
	return fs.ReadFile(t.res.fsys, rel)
}

// IsDir reports whether p is a directory.
func (t *treeFS) IsDir(p string) bool {
	if t.onDisk(p) {
		return t.disk.IsDir(p)
	}
	_, info, err := t.lookup(p)
	return err == nil && info.IsDir()
}

// Exists reports whether p exists.
func (t *treeFS) Exists(p string) bool {
	if t.onDisk(p) {
		return t.disk.Exists(p)
	}
	_, _, err := t.lookup(p)
	return err == nil
}

// ReadDir lists the names in directory p, sorted.
func (t *treeFS) ReadDir(p string) ([]string, error) {
	if t.onDisk(p) {
		return t.disk.ReadDir(p)
	}
	rel, _, err := t.lookup(p)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(t.res.fsys, rel)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

// CleanedAbs splits the symlink-free absolute form of p into a directory
// and a file name (empty when p is a directory), as kustomize's on-disk
// file system does.
func (t *treeFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if t.onDisk(p) {
		return t.disk.CleanedAbs(p)
	}
	rel, info, err := t.lookup(p)
	if err != nil {
		return "", "", fmt.Errorf("evalsymlink failure on '%s' : %w", p, err)
	}
	if info.IsDir() {
		return filesys.ConfirmedDir(t.abs(rel)), "", nil
	}
	return filesys.ConfirmedDir(t.abs(path.Dir(rel))), path.Base(rel), nil
}

// Glob returns the paths matching pattern; hidden files are left out
// unless the pattern names them, as on disk.
func (t *treeFS) Glob(pattern string) ([]string, error) {
	if t.onDisk(pattern) {
		return t.disk.Glob(pattern)
	}
	rel, err := t.toRel(pattern)
	if err != nil {
		return nil, err
	}
	matches, err := fs.Glob(t.res.fsys, rel)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(matches))
	for i, m := range matches {
		out[i] = t.abs(m)
	}
	if filesys.IsHiddenFilePath(pattern) {
		return out, nil
	}
	return filesys.RemoveHiddenFiles(out), nil
}

// Walk walks the tree below p without following symlinks.
func (t *treeFS) Walk(p string, walkFn filepath.WalkFunc) error {
	if t.onDisk(p) {
		return t.disk.Walk(p, walkFn)
	}
	rel, _, err := t.lookup(p)
	if err != nil {
		return walkFn(p, nil, err)
	}
	return fs.WalkDir(t.res.fsys, rel, func(name string, d fs.DirEntry, err error) error {
		vpath := filepath.Join(p, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(name, rel), "/")))
		if rel == "." {
			vpath = filepath.Join(p, filepath.FromSlash(name))
		}
		var info fs.FileInfo
		if err == nil {
			info, err = d.Info()
		}
		return walkFn(vpath, info, err)
	})
}

// Create refuses: the tree is read-only.
func (t *treeFS) Create(p string) (filesys.File, error) { return nil, t.readOnly("create", p) }

// Mkdir refuses: the tree is read-only.
func (t *treeFS) Mkdir(p string) error { return t.readOnly("mkdir", p) }

// MkdirAll refuses: the tree is read-only.
func (t *treeFS) MkdirAll(p string) error { return t.readOnly("mkdir", p) }

// WriteFile refuses: the tree is read-only.
func (t *treeFS) WriteFile(p string, _ []byte) error { return t.readOnly("write", p) }

// RemoveAll refuses inside the tree; kustomize uses it only to clean up
// its temporary clones of remote bases, which live on disk.
func (t *treeFS) RemoveAll(p string) error {
	if t.onDisk(p) {
		return t.disk.RemoveAll(p)
	}
	return t.readOnly("remove", p)
}

func (t *treeFS) readOnly(op, p string) error {
	return &fs.PathError{Op: op, Path: p, Err: ErrReadOnly}
}

// readOnlyFile adapts an fs.File to kustomize's filesys.File.
type readOnlyFile struct {
	fs.File
	name string
}

func (f readOnlyFile) Write([]byte) (int, error) {
	return 0, &fs.PathError{Op: "write", Path: f.name, Err: ErrReadOnly}
}

// kustomizeCloneDirs is where kustomize clones remote bases
// (filesys.NewTmpConfirmedDir), with symlinks resolved as it does.
func kustomizeCloneDirs() string {
	tmp := os.TempDir()
	if real, err := filepath.EvalSymlinks(tmp); err == nil {
		tmp = real
	}
	return filepath.Join(tmp, "kustomize-")
}
