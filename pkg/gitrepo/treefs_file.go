package gitrepo

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Open opens name, following symbolic links inside the tree.
func (t *treeFS) Open(name string) (fs.File, error) {
	n, _, err := t.lookup("open", name, true)
	if err != nil {
		return nil, err
	}
	info, err := t.info(name, n)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	switch n.mode {
	case filemode.Dir:
		d, err := t.tree(n.hash)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &openDir{t: t, path: name, info: info, entries: d.entries}, nil
	case filemode.Submodule:
		return nil, submoduleError("open", name, n)
	}
	b, err := t.blob(n.hash)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &openFile{info: info, Reader: bytes.NewReader(b)}, nil
}

// ReadFile returns the content of name, following symbolic links.
func (t *treeFS) ReadFile(name string) ([]byte, error) {
	n, _, err := t.lookup("readfile", name, true)
	if err != nil {
		return nil, err
	}
	switch n.mode {
	case filemode.Dir:
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fmt.Errorf("is a folder: %w", fs.ErrInvalid)}
	case filemode.Submodule:
		return nil, submoduleError("readfile", name, n)
	}
	b, err := t.blob(n.hash)
	if err != nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: err}
	}
	return b, nil
}

// ReadDir lists the folder name (following symbolic links), sorted by name.
func (t *treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	n, _, err := t.lookup("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if n.mode != filemode.Dir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fmt.Errorf("not a folder: %w", fs.ErrInvalid)}
	}
	d, err := t.tree(n.hash)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return t.dirEntries(d.entries), nil
}

// Stat describes name, following symbolic links.
func (t *treeFS) Stat(name string) (fs.FileInfo, error) { return t.stat("stat", name, true) }

// Lstat describes name without following a symbolic link in its last element.
func (t *treeFS) Lstat(name string) (fs.FileInfo, error) { return t.stat("lstat", name, false) }

func (t *treeFS) stat(op, name string, follow bool) (fs.FileInfo, error) {
	n, _, err := t.lookup(op, name, follow)
	if err != nil {
		return nil, err
	}
	info, err := t.info(name, n)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return info, nil
}

// ReadLink returns the target of the symbolic link name, as stored in Git.
func (t *treeFS) ReadLink(name string) (string, error) {
	n, _, err := t.lookup("readlink", name, false)
	if err != nil {
		return "", err
	}
	if n.mode != filemode.Symlink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fmt.Errorf("not a symbolic link: %w", fs.ErrInvalid)}
	}
	target, err := t.linkTarget(n.hash)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return target, nil
}

func (t *treeFS) dirEntries(nodes []node) []fs.DirEntry {
	out := make([]fs.DirEntry, len(nodes))
	for i, n := range nodes {
		out[i] = dirEntry{t: t, n: n}
	}
	return out
}

func submoduleError(op, name string, n node) error {
	return &fs.PathError{Op: op, Path: name,
		Err: fmt.Errorf("submodule at commit %s: %w", n.hash, ErrSubmodule)}
}

// fileInfo is the fs.FileInfo of a tree entry.
type fileInfo struct {
	name    string
	mode    fs.FileMode
	size    int64
	modTime time.Time
	hash    plumbing.Hash
}

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.size }
func (fi *fileInfo) Mode() fs.FileMode  { return fi.mode }
func (fi *fileInfo) ModTime() time.Time { return fi.modTime }
func (fi *fileInfo) IsDir() bool        { return fi.mode.IsDir() }

// Sys returns the Git object hash of the entry (a plumbing.Hash).
func (fi *fileInfo) Sys() any { return fi.hash }

// dirEntry is an fs.DirEntry of a tree; Info is computed on demand.
type dirEntry struct {
	t *treeFS
	n node
}

func (e dirEntry) Name() string { return e.n.name }
func (e dirEntry) IsDir() bool  { return e.n.mode == filemode.Dir }

func (e dirEntry) Type() fs.FileMode {
	switch e.n.mode {
	case filemode.Dir:
		return fs.ModeDir
	case filemode.Symlink:
		return fs.ModeSymlink
	case filemode.Submodule:
		return fs.ModeIrregular
	}
	return 0
}

func (e dirEntry) Info() (fs.FileInfo, error) { return e.t.info(e.n.name, e.n) }

func (e dirEntry) String() string { return fs.FormatDirEntry(e) }

// openFile is an open regular file; its content is in memory.
type openFile struct {
	info *fileInfo
	*bytes.Reader
}

func (f *openFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *openFile) Close() error               { return nil }

// openDir is an open folder; ReadDir pages through its entries.
type openDir struct {
	t       *treeFS
	path    string
	info    *fileInfo
	entries []node
	offset  int
}

func (d *openDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *openDir) Close() error               { return nil }

func (d *openDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: fmt.Errorf("is a folder: %w", fs.ErrInvalid)}
}

// ReadDir returns the next n entries (all remaining when n <= 0).
func (d *openDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.offset:]
	if n <= 0 {
		d.offset = len(d.entries)
		return d.t.dirEntries(rest), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.offset += n
	return d.t.dirEntries(rest[:n]), nil
}
