package gitrepo

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TreeFS returns the file tree of commit h as a read-only file system,
// without a checkout. The result implements fs.FS, fs.ReadDirFS,
// fs.ReadFileFS, fs.StatFS and fs.ReadLinkFS, and is safe for concurrent use.
//
// Files are regular (mode 0644, or 0755 when executable in Git), folders are
// fs.ModeDir|0755, and every ModTime is the commit's committer date.
// FileInfo.Sys returns the entry's Git object hash (a plumbing.Hash).
//
// Symbolic links are reported as fs.ModeSymlink by Lstat and ReadDir, and
// ReadLink returns their target. Open, Stat and ReadFile follow them, in the
// last element of a path or in the middle, as long as the target stays in
// the tree; a link whose target is absolute or climbs above the root gives an
// error wrapping ErrEscapesTree that names the link and its target.
// Submodules are listed with type fs.ModeIrregular; opening one fails with
// ErrSubmodule.
//
// Trees are decoded once and cached for the life of the returned FS; file
// contents are read from the object store on every Open or ReadFile.
func (r *Repo) TreeFS(h plumbing.Hash) (fs.FS, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.commit(h)
	if err != nil {
		return nil, fmt.Errorf("tree of %w", err)
	}
	return &treeFS{
		r:       r,
		commit:  h,
		root:    node{name: ".", mode: filemode.Dir, hash: c.TreeHash},
		modTime: c.Committer.When,
		trees:   map[plumbing.Hash]*dir{},
		links:   map[plumbing.Hash]string{},
		sizes:   map[plumbing.Hash]int64{},
	}, nil
}

// Compile-time checks of the interfaces TreeFS promises.
var (
	_ fs.ReadDirFS  = (*treeFS)(nil)
	_ fs.ReadFileFS = (*treeFS)(nil)
	_ fs.StatFS     = (*treeFS)(nil)
	_ fs.ReadLinkFS = (*treeFS)(nil)
)

// treeFS is the fs.FS of one commit's tree.
type treeFS struct {
	r       *Repo
	commit  plumbing.Hash
	root    node
	modTime time.Time

	// mu guards the caches. Lock order: treeFS.mu, then Repo.mu.
	mu    sync.Mutex
	trees map[plumbing.Hash]*dir   // decoded trees
	links map[plumbing.Hash]string // symlink targets, by blob hash
	sizes map[plumbing.Hash]int64  // blob sizes
}

// node is one entry of a Git tree.
type node struct {
	name string
	mode filemode.FileMode
	hash plumbing.Hash
}

// dir is a decoded tree: entries sorted by name, as fs.ReadDir wants (Git
// sorts folders as if their names ended in "/").
type dir struct {
	entries []node
	byName  map[string]int
}

// tree returns the decoded tree h, from the cache when possible.
func (t *treeFS) tree(h plumbing.Hash) (*dir, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d, ok := t.trees[h]; ok {
		return d, nil
	}
	t.r.mu.Lock()
	tr, err := object.GetTree(t.r.repo.Storer, h)
	t.r.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("read tree %s of commit %s: %w", h, t.commit, err)
	}
	d := &dir{entries: make([]node, len(tr.Entries)), byName: make(map[string]int, len(tr.Entries))}
	for i, e := range tr.Entries {
		d.entries[i] = node{name: e.Name, mode: e.Mode, hash: e.Hash}
	}
	sort.Slice(d.entries, func(i, j int) bool { return d.entries[i].name < d.entries[j].name })
	for i, e := range d.entries {
		d.byName[e.name] = i
	}
	t.trees[h] = d
	return d, nil
}

// blob reads the whole content of blob h.
func (t *treeFS) blob(h plumbing.Hash) ([]byte, error) {
	t.r.mu.Lock()
	defer t.r.mu.Unlock()
	obj, err := t.r.repo.Storer.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s of commit %s: %w", h, t.commit, err)
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s of commit %s: %w", h, t.commit, err)
	}
	defer rd.Close()
	buf := make([]byte, 0, obj.Size())
	for {
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read blob %s of commit %s: %w", h, t.commit, err)
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// linkTarget returns the target of the symlink blob h, cached.
func (t *treeFS) linkTarget(h plumbing.Hash) (string, error) {
	t.mu.Lock()
	target, ok := t.links[h]
	t.mu.Unlock()
	if ok {
		return target, nil
	}
	b, err := t.blob(h)
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	t.links[h] = string(b)
	t.mu.Unlock()
	return string(b), nil
}

// size returns the size of blob h, cached.
func (t *treeFS) size(h plumbing.Hash) (int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.sizes[h]; ok {
		return s, nil
	}
	t.r.mu.Lock()
	s, err := t.r.repo.Storer.EncodedObjectSize(h)
	t.r.mu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("size of blob %s of commit %s: %w", h, t.commit, err)
	}
	t.sizes[h] = s
	return s, nil
}

// info describes n, found at path p.
func (t *treeFS) info(p string, n node) (*fileInfo, error) {
	fi := &fileInfo{name: path.Base(p), modTime: t.modTime, hash: n.hash}
	switch n.mode {
	case filemode.Dir:
		fi.mode = fs.ModeDir | 0o755
	case filemode.Symlink:
		target, err := t.linkTarget(n.hash)
		if err != nil {
			return nil, err
		}
		fi.mode, fi.size = fs.ModeSymlink|0o777, int64(len(target))
	case filemode.Submodule:
		fi.mode = fs.ModeIrregular
	default:
		fi.mode = 0o644
		if n.mode == filemode.Executable {
			fi.mode = 0o755
		}
		s, err := t.size(n.hash)
		if err != nil {
			return nil, err
		}
		fi.size = s
	}
	return fi, nil
}
