package history

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// deps are the paths one rendering read, with a signature of what it saw:
// a file's Git blob id, "dir" for a folder it only opened or stat'ed, the
// entry names of a folder it listed, "" for a path that did not exist.
type deps map[string]string

// access is how a rendering used a path.
type access int

const (
	accessed access = iota // opened, read or stat'ed
	listed                 // its entries were read
)

// sameIn reports whether every path of d looks the same in fsys.
func (d deps) sameIn(fsys fs.FS) bool {
	for key, sig := range d {
		p, how := splitKey(key)
		if signature(fsys, p, how) != sig {
			return false
		}
	}
	return true
}

func depKey(p string, how access) string {
	if how == listed {
		return "ls:" + p
	}
	return "at:" + p
}

func splitKey(k string) (string, access) {
	if strings.HasPrefix(k, "ls:") {
		return k[3:], listed
	}
	return strings.TrimPrefix(k, "at:"), accessed
}

// signature is what a rendering could have learnt from p.
func signature(fsys fs.FS, p string, how access) string {
	fi, err := fs.Stat(fsys, p)
	if err != nil {
		return ""
	}
	if fi.IsDir() {
		if how != listed {
			return "dir"
		}
		es, err := fs.ReadDir(fsys, p)
		if err != nil {
			return "?"
		}
		var b strings.Builder
		b.WriteString("ls")
		for _, e := range es {
			fmt.Fprintf(&b, "/%s:%o", e.Name(), e.Type())
		}
		return b.String()
	}
	if h, ok := fi.Sys().(plumbing.Hash); ok {
		return h.String()
	}
	return "?" // not a Git tree: never equal to a recorded signature
}

// recordingFS records every path read through it.
type recordingFS struct {
	fs.FS
	mu   sync.Mutex
	seen map[string]access
}

func newRecordingFS(fsys fs.FS) *recordingFS {
	return &recordingFS{FS: fsys, seen: map[string]access{}}
}

func (r *recordingFS) note(name string, how access) {
	name = path.Clean(name)
	r.mu.Lock()
	if how == listed || r.seen[name] != listed {
		r.seen[name] = how
	}
	r.mu.Unlock()
}

// Open records a folder as listed: its entries can be read from the
// handle without going through ReadDir.
func (r *recordingFS) Open(name string) (fs.File, error) {
	f, err := r.FS.Open(name)
	how := accessed
	if err == nil {
		if fi, serr := f.Stat(); serr == nil && fi.IsDir() {
			how = listed
		}
	}
	r.note(name, how)
	return f, err
}

func (r *recordingFS) ReadFile(name string) ([]byte, error) {
	r.note(name, accessed)
	return fs.ReadFile(r.FS, name)
}

func (r *recordingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	r.note(name, listed)
	return fs.ReadDir(r.FS, name)
}

func (r *recordingFS) Stat(name string) (fs.FileInfo, error) {
	r.note(name, accessed)
	return fs.Stat(r.FS, name)
}

func (r *recordingFS) Lstat(name string) (fs.FileInfo, error) {
	r.note(name, accessed)
	if l, ok := r.FS.(fs.ReadLinkFS); ok {
		return l.Lstat(name)
	}
	return fs.Stat(r.FS, name)
}

func (r *recordingFS) ReadLink(name string) (string, error) {
	r.note(name, accessed)
	if l, ok := r.FS.(fs.ReadLinkFS); ok {
		return l.ReadLink(name)
	}
	return "", &fs.PathError{Op: "readlink", Path: name, Err: errors.ErrUnsupported}
}

// deps returns the recorded paths with their object ids in the tree read.
func (r *recordingFS) deps() deps {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := make(deps, len(r.seen))
	for p, how := range r.seen {
		d[depKey(p, how)] = signature(r.FS, p, how)
	}
	return d
}

var (
	_ fs.ReadFileFS = (*recordingFS)(nil)
	_ fs.ReadDirFS  = (*recordingFS)(nil)
	_ fs.StatFS     = (*recordingFS)(nil)
	_ fs.ReadLinkFS = (*recordingFS)(nil)
)
