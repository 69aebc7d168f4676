package expand

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

// overlayFS is a repository tree with generated files laid over it: the
// kustomization Flux generates for a folder that has none, and the small
// overlays that carry a Flux Kustomization's targetNamespace and patches.
// Generated files live inside the tree (so `../` references from them stay
// inside it) and never replace a file of the tree.
type overlayFS struct {
	base  fs.FS
	mu    sync.RWMutex
	files map[string][]byte
}

var (
	_ fs.StatFS     = (*overlayFS)(nil)
	_ fs.ReadDirFS  = (*overlayFS)(nil)
	_ fs.ReadLinkFS = (*overlayFS)(nil)
)

func newOverlay(base fs.FS) *overlayFS {
	if o, ok := base.(*overlayFS); ok {
		return o
	}
	return &overlayFS{base: base, files: map[string][]byte{}}
}

// add lays file name (a clean slash path) over the tree.
func (o *overlayFS) add(name string, data []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.files[name] = data
}

func (o *overlayFS) file(name string) ([]byte, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	b, ok := o.files[name]
	return b, ok
}

// children lists the generated entries directly in dir (files and folders).
func (o *overlayFS) children(dir string) map[string]bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := map[string]bool{} // name → is a folder
	prefix := dir + "/"
	if dir == "." {
		prefix = ""
	}
	for name := range o.files {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		first, _, more := strings.Cut(rest, "/")
		out[first] = out[first] || more
	}
	return out
}

func (o *overlayFS) Open(name string) (fs.File, error) {
	if b, ok := o.file(name); ok {
		return &memFile{name: path.Base(name), r: bytes.NewReader(b), size: int64(len(b))}, nil
	}
	f, err := o.base.Open(name)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, err
	}
	if len(o.children(name)) > 0 {
		return &memDir{o: o, name: name}, nil
	}
	return nil, err
}

func (o *overlayFS) Stat(name string) (fs.FileInfo, error) {
	if b, ok := o.file(name); ok {
		return memInfo{name: path.Base(name), size: int64(len(b))}, nil
	}
	fi, err := fs.Stat(o.base, name)
	if err != nil && errors.Is(err, fs.ErrNotExist) && len(o.children(name)) > 0 {
		return memInfo{name: path.Base(name), dir: true}, nil
	}
	return fi, err
}

func (o *overlayFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(o.base, name)
	extra := o.children(name)
	if err != nil && (!errors.Is(err, fs.ErrNotExist) || len(extra) == 0) {
		return nil, err
	}
	for _, e := range entries {
		delete(extra, e.Name())
	}
	for n, dir := range extra {
		entries = append(entries, fs.FileInfoToDirEntry(memInfo{name: n, dir: dir, size: int64(len(o.files[path.Join(name, n)]))}))
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

func (o *overlayFS) ReadLink(name string) (string, error) {
	if rl, ok := o.base.(fs.ReadLinkFS); ok {
		if _, gen := o.file(name); !gen {
			return rl.ReadLink(name)
		}
	}
	return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
}

func (o *overlayFS) Lstat(name string) (fs.FileInfo, error) {
	if rl, ok := o.base.(fs.ReadLinkFS); ok {
		if _, gen := o.file(name); !gen {
			fi, err := rl.Lstat(name)
			if err == nil || !errors.Is(err, fs.ErrNotExist) {
				return fi, err
			}
		}
	}
	return o.Stat(name)
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (m memInfo) Name() string { return m.name }
func (m memInfo) Size() int64  { return m.size }
func (m memInfo) Mode() fs.FileMode {
	if m.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (m memInfo) ModTime() time.Time { return time.Time{} }
func (m memInfo) IsDir() bool        { return m.dir }
func (m memInfo) Sys() any           { return nil }

type memFile struct {
	name string
	r    *bytes.Reader
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{name: f.name, size: f.size}, nil }
func (f *memFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *memFile) Close() error               { return nil }

type memDir struct {
	o    *overlayFS
	name string
}

func (d *memDir) Stat() (fs.FileInfo, error) { return memInfo{name: path.Base(d.name), dir: true}, nil }
func (d *memDir) Read([]byte) (int, error)   { return 0, io.EOF }
func (d *memDir) Close() error               { return nil }
func (d *memDir) ReadDir(int) ([]fs.DirEntry, error) {
	return d.o.ReadDir(d.name)
}
