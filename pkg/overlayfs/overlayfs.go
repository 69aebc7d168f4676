// Package overlayfs is a file system with some files replaced, added or
// deleted on top of another, without writing anything: what a working tree
// will be once a promotion plan is applied (pkg/promote), or a repository
// tree with the kustomizations Flux generates (pkg/expand).
package overlayfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// FS is a file system with some files replaced, added or deleted. It
// implements fs.ReadLinkFS when its base does.
type FS struct {
	base fs.FS
	// mu guards files and dirs: Set may run while a rendering reads.
	mu sync.RWMutex
	// files maps a slash path to its new content; nil content deletes it.
	files map[string][]byte
	// dirs holds every folder that is a parent of an added file.
	dirs map[string]bool
}

var (
	_ fs.ReadFileFS = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.ReadLinkFS = (*FS)(nil)
)

// New returns base with changes applied: a slash path to its new content,
// nil content deleting it. New keeps changes; Set writes into it.
func New(base fs.FS, changes map[string][]byte) *FS {
	if changes == nil {
		changes = map[string][]byte{}
	}
	o := &FS{base: base, files: changes, dirs: map[string]bool{}}
	for p, c := range changes {
		if c != nil {
			o.addDirs(p)
		}
	}
	return o
}

// Set replaces (or adds) file name with data; nil data deletes it.
func (o *FS) Set(name string, data []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.files[name] = data
	if data != nil {
		o.addDirs(name)
	}
}

// Changed reports whether name is one of the overlay's own files.
func (o *FS) Changed(name string) bool {
	_, ok := o.file(name)
	return ok
}

func (o *FS) file(name string) ([]byte, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	c, ok := o.files[name]
	return c, ok
}

func (o *FS) isDir(name string) bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.dirs[name]
}

func (o *FS) addDirs(p string) {
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		o.dirs[d] = true
	}
}

// Open implements fs.FS.
func (o *FS) Open(name string) (fs.File, error) {
	if c, ok := o.file(name); ok {
		if c == nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		return &memFile{name: path.Base(name), Reader: bytes.NewReader(c), size: int64(len(c))}, nil
	}
	f, err := o.base.Open(name)
	if err != nil && o.isDir(name) {
		return &memDir{name: path.Base(name), o: o, path: name}, nil
	}
	if err != nil {
		return nil, err
	}
	// A folder of the base lists through the overlay, so that a walk by
	// Open + ReadDir sees added and deleted files as ReadDir does.
	if fi, serr := f.Stat(); serr == nil && fi.IsDir() {
		return &baseDir{File: f, d: memDir{name: fi.Name(), o: o, path: name}}, nil
	}
	return f, nil
}

// baseDir is an open folder of the base, listed through the overlay.
type baseDir struct {
	fs.File
	d memDir
}

func (b *baseDir) ReadDir(n int) ([]fs.DirEntry, error) { return b.d.ReadDir(n) }

// ReadFile implements fs.ReadFileFS.
func (o *FS) ReadFile(name string) ([]byte, error) {
	if c, ok := o.file(name); ok {
		if c == nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
		}
		return slices.Clone(c), nil
	}
	return fs.ReadFile(o.base, name)
}

// Stat implements fs.StatFS.
func (o *FS) Stat(name string) (fs.FileInfo, error) {
	if c, ok := o.file(name); ok {
		if c == nil {
			return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
		}
		return memInfo{name: path.Base(name), size: int64(len(c))}, nil
	}
	fi, err := fs.Stat(o.base, name)
	if err != nil && o.isDir(name) {
		return memInfo{name: path.Base(name), dir: true}, nil
	}
	return fi, err
}

// Lstat implements fs.ReadLinkFS.
func (o *FS) Lstat(name string) (fs.FileInfo, error) {
	if o.Changed(name) {
		return o.Stat(name)
	}
	if rl, ok := o.base.(fs.ReadLinkFS); ok {
		fi, err := rl.Lstat(name)
		if err != nil && o.isDir(name) {
			return memInfo{name: path.Base(name), dir: true}, nil
		}
		return fi, err
	}
	return o.Stat(name)
}

// ReadLink implements fs.ReadLinkFS.
func (o *FS) ReadLink(name string) (string, error) {
	if !o.Changed(name) {
		if rl, ok := o.base.(fs.ReadLinkFS); ok {
			return rl.ReadLink(name)
		}
	}
	return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
}

// ReadDir implements fs.ReadDirFS.
func (o *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(o.base, name)
	if err != nil && !(errors.Is(err, fs.ErrNotExist) && (o.isDir(name) || name == ".")) {
		return nil, err
	}
	byName := map[string]fs.DirEntry{}
	for _, e := range entries {
		byName[e.Name()] = e
	}
	prefix := name + "/"
	if name == "." {
		prefix = ""
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	for p, c := range o.files {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok || rest == "" {
			continue
		}
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			if d := rest[:i]; byName[d] == nil && o.dirs[prefix+d] {
				byName[d] = fs.FileInfoToDirEntry(memInfo{name: d, dir: true})
			}
			continue
		}
		if c == nil {
			delete(byName, rest)
		} else {
			byName[rest] = fs.FileInfoToDirEntry(memInfo{name: rest, size: int64(len(c))})
		}
	}
	out := make([]fs.DirEntry, 0, len(byName))
	for _, e := range byName {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// memInfo describes an overlay file or folder.
type memInfo struct {
	name string
	size int64
	dir  bool
}

func (m memInfo) Name() string { return m.name }
func (m memInfo) Size() int64  { return m.size }
func (m memInfo) Mode() fs.FileMode {
	if m.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (m memInfo) ModTime() time.Time { return time.Time{} }
func (m memInfo) IsDir() bool        { return m.dir }
func (m memInfo) Sys() any           { return nil }

// memFile is an open overlay file.
type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{name: f.name, size: f.size}, nil }
func (f *memFile) Close() error               { return nil }

// memDir is an open folder that exists only in the overlay.
type memDir struct {
	name    string
	path    string
	o       *FS
	entries []fs.DirEntry // nil until the first ReadDir
	read    bool
}

func (d *memDir) Stat() (fs.FileInfo, error) { return memInfo{name: d.name, dir: true}, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: fs.ErrInvalid}
}
func (d *memDir) Close() error { return nil }

// ReadDir pages through the folder as fs.ReadDirFile says: n > 0 returns
// at most n entries and io.EOF at the end; n <= 0 returns the rest.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		entries, err := d.o.ReadDir(d.path)
		if err != nil {
			return nil, err
		}
		d.entries, d.read = entries, true
	}
	if n <= 0 {
		out := d.entries
		d.entries = nil
		return out, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.entries))
	out := d.entries[:n:n]
	d.entries = d.entries[n:]
	return out, nil
}
