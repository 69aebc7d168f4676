package promote

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// overlayFS is a file system with some files replaced, added or deleted:
// what the working tree will be once a plan is applied, without writing it.
// It implements fs.ReadLinkFS when its base does.
type overlayFS struct {
	base fs.FS
	// files maps a slash path to its new content; nil content deletes it.
	files map[string][]byte
	// dirs holds every folder that is a parent of an added file.
	dirs map[string]bool
}

var (
	_ fs.ReadFileFS = (*overlayFS)(nil)
	_ fs.ReadDirFS  = (*overlayFS)(nil)
	_ fs.ReadLinkFS = (*overlayFS)(nil)
)

// newOverlay returns base with changes applied.
func newOverlay(base fs.FS, changes map[string][]byte) *overlayFS {
	o := &overlayFS{base: base, files: changes, dirs: map[string]bool{}}
	for p, c := range changes {
		if c == nil {
			continue
		}
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			o.dirs[d] = true
		}
	}
	return o
}

// Open implements fs.FS.
func (o *overlayFS) Open(name string) (fs.File, error) {
	if c, ok := o.files[name]; ok {
		if c == nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		return &memFile{name: path.Base(name), Reader: bytes.NewReader(c), size: int64(len(c))}, nil
	}
	f, err := o.base.Open(name)
	if err != nil && o.dirs[name] {
		return &memDir{name: path.Base(name), o: o, path: name}, nil
	}
	return f, err
}

// ReadFile implements fs.ReadFileFS.
func (o *overlayFS) ReadFile(name string) ([]byte, error) {
	if c, ok := o.files[name]; ok {
		if c == nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
		}
		return slices.Clone(c), nil
	}
	return fs.ReadFile(o.base, name)
}

// Stat implements fs.StatFS.
func (o *overlayFS) Stat(name string) (fs.FileInfo, error) {
	if c, ok := o.files[name]; ok {
		if c == nil {
			return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
		}
		return memInfo{name: path.Base(name), size: int64(len(c))}, nil
	}
	fi, err := fs.Stat(o.base, name)
	if err != nil && o.dirs[name] {
		return memInfo{name: path.Base(name), dir: true}, nil
	}
	return fi, err
}

// Lstat implements fs.ReadLinkFS.
func (o *overlayFS) Lstat(name string) (fs.FileInfo, error) {
	if _, ok := o.files[name]; ok {
		return o.Stat(name)
	}
	if rl, ok := o.base.(fs.ReadLinkFS); ok {
		fi, err := rl.Lstat(name)
		if err != nil && o.dirs[name] {
			return memInfo{name: path.Base(name), dir: true}, nil
		}
		return fi, err
	}
	return o.Stat(name)
}

// ReadLink implements fs.ReadLinkFS.
func (o *overlayFS) ReadLink(name string) (string, error) {
	if _, ok := o.files[name]; !ok {
		if rl, ok := o.base.(fs.ReadLinkFS); ok {
			return rl.ReadLink(name)
		}
	}
	return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
}

// ReadDir implements fs.ReadDirFS.
func (o *overlayFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(o.base, name)
	if err != nil && !(errors.Is(err, fs.ErrNotExist) && (o.dirs[name] || name == ".")) {
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
	name string
	path string
	o    *overlayFS
	read bool
}

func (d *memDir) Stat() (fs.FileInfo, error) { return memInfo{name: d.name, dir: true}, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: fs.ErrInvalid}
}
func (d *memDir) Close() error { return nil }
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.read {
		if n > 0 {
			return nil, io.EOF
		}
		return nil, nil
	}
	d.read = true
	return d.o.ReadDir(d.path)
}
