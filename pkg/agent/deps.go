package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
)

// A rendering depends only on the files and folders it looked at. depFS
// wraps the fs.FS of a Git tree that is handed to render.FS (and to
// config.LoadFSWith) and records every look-up with a fingerprint of what it
// found: the Git object hash of a file or symbolic link, the names and types
// of a listed folder, "absent" for a missing path. When every recorded
// look-up gives the same fingerprint in the tree of a new commit, the
// rendering of the new commit is the rendering of the old one, and the agent
// does not render again (see Syncer.reusable).
//
// Folders are fingerprinted by their listing, not by their tree hash, so a
// change to a file the rendering never read does not invalidate it.

// dep operations.
const (
	opStat    = "stat"    // follows symbolic links (Stat, Open, ReadFile)
	opLstat   = "lstat"   // does not follow the last one
	opReadDir = "readdir" // names and types of a folder
	opLink    = "readlink"
)

type depKey struct{ op, path string }

// deps is the set of look-ups of one rendering and their fingerprints.
type deps map[depKey]string

// depFS records the look-ups made through it. It implements the optional
// interfaces render and config use so that the wrapped file system behaves
// exactly as it does unwrapped.
type depFS struct {
	fsys fs.FS
	mu   sync.Mutex
	seen deps
	// untrackable is set when a look-up gave a result without a Git object
	// hash: the recording cannot prove anything then.
	untrackable bool
}

var (
	_ fs.ReadFileFS = (*depFS)(nil)
	_ fs.ReadDirFS  = (*depFS)(nil)
	_ fs.StatFS     = (*depFS)(nil)
	_ fs.ReadLinkFS = (*depFS)(nil)
)

func newDepFS(fsys fs.FS) *depFS { return &depFS{fsys: fsys, seen: deps{}} }

// recorded returns the look-ups, or nil when they cannot be trusted.
func (d *depFS) recorded() deps {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.untrackable {
		return nil
	}
	return d.seen
}

func (d *depFS) note(op, name string, fp string, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !ok {
		d.untrackable = true
		return
	}
	d.seen[depKey{op, name}] = fp
}

func (d *depFS) Open(name string) (fs.File, error) {
	f, err := d.fsys.Open(name)
	if err != nil {
		d.note(opStat, name, errPrint(err), true)
		return nil, err
	}
	info, serr := f.Stat()
	if serr != nil {
		d.note(opStat, name, "", false)
		return f, nil
	}
	fp, ok := infoPrint(info)
	d.note(opStat, name, fp, ok)
	if info.IsDir() {
		fp, ok := lookup(d.fsys, opReadDir, name)
		d.note(opReadDir, name, fp, ok)
	}
	return f, nil
}

func (d *depFS) ReadFile(name string) ([]byte, error) {
	fp, ok := lookup(d.fsys, opStat, name)
	d.note(opStat, name, fp, ok)
	return fs.ReadFile(d.fsys, name)
}

func (d *depFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(d.fsys, name)
	if err != nil {
		d.note(opReadDir, name, errPrint(err), true)
		return nil, err
	}
	d.note(opReadDir, name, listingPrint(entries), true)
	return entries, nil
}

func (d *depFS) Stat(name string) (fs.FileInfo, error) {
	info, err := fs.Stat(d.fsys, name)
	fp, ok := statPrint(info, err)
	d.note(opStat, name, fp, ok)
	return info, err
}

func (d *depFS) Lstat(name string) (fs.FileInfo, error) {
	info, err := fs.Lstat(d.fsys, name)
	fp, ok := statPrint(info, err)
	d.note(opLstat, name, fp, ok)
	return info, err
}

func (d *depFS) ReadLink(name string) (string, error) {
	target, err := fs.ReadLink(d.fsys, name)
	if err != nil {
		d.note(opLink, name, errPrint(err), true)
		return "", err
	}
	d.note(opLink, name, "->"+target, true)
	return target, nil
}

// sameIn reports whether every look-up of ds gives the same fingerprint in
// fsys. An empty or nil set proves nothing and answers false.
func (ds deps) sameIn(fsys fs.FS) bool {
	if len(ds) == 0 {
		return false
	}
	for k, want := range ds {
		got, ok := lookup(fsys, k.op, k.path)
		if !ok || got != want {
			return false
		}
	}
	return true
}

// lookup repeats one look-up and returns its fingerprint; ok is false when
// the answer carries no Git object hash.
func lookup(fsys fs.FS, op, name string) (string, bool) {
	switch op {
	case opStat:
		return statPrint(fs.Stat(fsys, name))
	case opLstat:
		return statPrint(fs.Lstat(fsys, name))
	case opReadDir:
		entries, err := fs.ReadDir(fsys, name)
		if err != nil {
			return errPrint(err), true
		}
		return listingPrint(entries), true
	case opLink:
		target, err := fs.ReadLink(fsys, name)
		if err != nil {
			return errPrint(err), true
		}
		return "->" + target, true
	}
	return "", false
}

func statPrint(info fs.FileInfo, err error) (string, bool) {
	if err != nil {
		return errPrint(err), true
	}
	return infoPrint(info)
}

// infoPrint fingerprints a tree entry: a folder by its type only (its
// listing is a separate look-up), anything else by type and Git hash.
func infoPrint(info fs.FileInfo) (string, bool) {
	if info.IsDir() {
		return "dir", true
	}
	h, ok := info.Sys().(fmt.Stringer)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%s %s", info.Mode().Type(), h.String()), true
}

func listingPrint(entries []fs.DirEntry) string {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name() + "\x00" + e.Type().String()
	}
	sort.Strings(names)
	sum := sha256.Sum256([]byte(strings.Join(names, "\x00")))
	return "list " + hex.EncodeToString(sum[:])
}

// errPrint fingerprints a failed look-up: a missing path as "absent", any
// other failure by its message.
func errPrint(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "absent"
	}
	return "error " + err.Error()
}
