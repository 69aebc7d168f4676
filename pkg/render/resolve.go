package render

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// maxSymlinks bounds symlink chains, like the kernel's ELOOP limit.
const maxSymlinks = 40

// resolver turns slash paths inside an fs.FS into symlink-free paths. It
// reads symlinks itself (fs.ReadLinkFS) so that the file system below it is
// only ever asked about paths that contain no symlink, and it refuses any
// link whose target leaves the root.
type resolver struct {
	fsys fs.FS
	// links is nil when fsys cannot report symlinks; fsys is then trusted
	// to keep its own paths inside its root.
	links fs.ReadLinkFS
	// absPrefix, when not empty, is the slash form of the root's absolute
	// path on disk: an absolute symlink target below it stays inside.
	absPrefix string
	lstats    map[string]lstatResult
}

type lstatResult struct {
	info fs.FileInfo
	err  error
}

func newResolver(fsys fs.FS, absPrefix string) *resolver {
	r := &resolver{fsys: fsys, absPrefix: absPrefix, lstats: map[string]lstatResult{}}
	if rl, ok := fsys.(fs.ReadLinkFS); ok {
		r.links = rl
	}
	return r
}

// lstat stats name without following a final symlink, caching the answer.
func (r *resolver) lstat(name string) (fs.FileInfo, error) {
	if res, ok := r.lstats[name]; ok {
		return res.info, res.err
	}
	var info fs.FileInfo
	var err error
	if r.links != nil {
		info, err = r.links.Lstat(name)
	} else {
		info, err = fs.Stat(r.fsys, name)
	}
	r.lstats[name] = lstatResult{info: info, err: err}
	return info, err
}

// resolve returns the symlink-free form of name (a clean slash path, "."
// for the root) and the FileInfo of what it names.
func (r *resolver) resolve(name string) (string, fs.FileInfo, error) {
	dest := "."
	rest := name
	if rest == "." {
		rest = ""
	}
	var info fs.FileInfo
	hops := 0
	var link, target string // the last symlink followed, for messages
	for rest != "" {
		var c string
		c, rest, _ = strings.Cut(rest, "/")
		switch c {
		case "", ".":
			continue
		case "..":
			if dest == "." {
				if link == "" {
					return "", nil, fmt.Errorf("%q: %w", name, ErrEscapesRoot)
				}
				return "", nil, fmt.Errorf("symlink %q -> %q: %w", link, target, ErrEscapesRoot)
			}
			dest, info = path.Dir(dest), nil
			continue
		}
		next := path.Join(dest, c)
		fi, err := r.lstat(next)
		if err != nil {
			return "", nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 || r.links == nil {
			dest, info = next, fi
			continue
		}
		hops++
		if hops > maxSymlinks {
			return "", nil, fmt.Errorf("%q: too many levels of symbolic links", name)
		}
		t, err := r.links.ReadLink(next)
		if err != nil {
			return "", nil, fmt.Errorf("read symlink %q: %w", next, err)
		}
		link, target = next, t
		if strings.HasPrefix(t, "/") {
			inside, ok := r.insideAbs(t)
			if !ok {
				return "", nil, fmt.Errorf("symlink %q -> %q: %w", link, target, ErrEscapesRoot)
			}
			t, dest = inside, "."
		}
		rest = t + "/" + rest
		info = nil
	}
	if info == nil {
		fi, err := fs.Stat(r.fsys, dest)
		if err != nil {
			return "", nil, err
		}
		info = fi
	}
	return dest, info, nil
}

// insideAbs maps an absolute symlink target below absPrefix to a path
// relative to the root.
func (r *resolver) insideAbs(t string) (string, bool) {
	if r.absPrefix == "" {
		return "", false
	}
	t = path.Clean(t)
	if t == r.absPrefix {
		return ".", true
	}
	rel, ok := strings.CutPrefix(t, r.absPrefix+"/")
	return rel, ok
}

// isEscape reports whether err is a root escape found while resolving.
func isEscape(err error) bool { return errors.Is(err, ErrEscapesRoot) }
