package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// maxLinkHops bounds symlink expansion in one lookup, like the kernel's
// MAXSYMLINKS (40); a loop fails with an error instead of spinning.
const maxLinkHops = 40

// errTooManyLinks is the error of a lookup that hit maxLinkHops.
var errTooManyLinks = errors.New("too many levels of symbolic links")

// component is one path element still to resolve; link is the index in
// walk.links of the symlink whose target produced it, or -1.
type component struct {
	name string
	link int
}

// link is a symlink expanded during a lookup, kept to name it in errors.
type link struct{ path, target string }

// frame is one resolved element on the way from the root.
type frame struct {
	name string
	node node
}

// lookup resolves name (an fs.ValidPath) to its tree entry. Symlinks in the
// middle of the path are always followed; the last one only when followLast.
// It returns the entry and its resolved path. Errors are *fs.PathError with
// op and name.
func (t *treeFS) lookup(op, name string, followLast bool) (node, string, error) {
	if !fs.ValidPath(name) {
		return node{}, "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	pending := split(name, -1)
	var (
		stack []frame
		links []link
	)
	cur := t.root
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		switch c.name {
		case ".":
			continue
		case "..":
			if len(stack) == 0 {
				l := links[c.link] // ".." only comes from link targets
				return node{}, "", &fs.PathError{Op: op, Path: name,
					Err: fmt.Errorf("symlink %s -> %s: %w", l.path, l.target, ErrEscapesTree)}
			}
			stack = stack[:len(stack)-1]
			cur = t.root
			if len(stack) > 0 {
				cur = stack[len(stack)-1].node
			}
			continue
		}
		if err := t.checkDir(op, name, stack, cur); err != nil {
			return node{}, "", err
		}
		d, err := t.tree(cur.hash)
		if err != nil {
			return node{}, "", &fs.PathError{Op: op, Path: name, Err: err}
		}
		i, ok := d.byName[c.name]
		if !ok {
			return node{}, "", &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		n := d.entries[i]
		if n.mode == filemode.Symlink && (len(pending) > 0 || followLast) {
			if len(links) == maxLinkHops {
				return node{}, "", &fs.PathError{Op: op, Path: name, Err: errTooManyLinks}
			}
			target, err := t.linkTarget(n.hash)
			if err != nil {
				return node{}, "", &fs.PathError{Op: op, Path: name, Err: err}
			}
			l := link{path: joinFrames(stack, c.name), target: target}
			links = append(links, l)
			if strings.HasPrefix(target, "/") || target == "" {
				return node{}, "", &fs.PathError{Op: op, Path: name,
					Err: fmt.Errorf("symlink %s -> %s: %w", l.path, l.target, ErrEscapesTree)}
			}
			pending = append(split(target, len(links)-1), pending...)
			continue
		}
		stack = append(stack, frame{name: c.name, node: n})
		cur = n
	}
	return cur, joinFrames(stack, ""), nil
}

// checkDir fails unless cur, reached through stack, is a folder.
func (t *treeFS) checkDir(op, name string, stack []frame, cur node) error {
	switch cur.mode {
	case filemode.Dir:
		return nil
	case filemode.Submodule:
		return &fs.PathError{Op: op, Path: name,
			Err: fmt.Errorf("%s is a submodule at commit %s: %w", joinFrames(stack, ""), cur.hash, ErrSubmodule)}
	default:
		return &fs.PathError{Op: op, Path: name,
			Err: fmt.Errorf("%s is not a folder: %w", joinFrames(stack, ""), fs.ErrNotExist)}
	}
}

// split cuts a slash-separated path into components tagged with link.
// Empty elements (from "a//b" or a trailing "/" in a link target) are dropped.
func split(p string, link int) []component {
	parts := strings.Split(p, "/")
	out := make([]component, 0, len(parts))
	for _, s := range parts {
		if s != "" {
			out = append(out, component{name: s, link: link})
		}
	}
	return out
}

// joinFrames returns the path of stack plus an optional last element, "."
// for the root.
func joinFrames(stack []frame, last string) string {
	var b strings.Builder
	for _, f := range stack {
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(f.name)
	}
	if last != "" {
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(last)
	}
	if b.Len() == 0 {
		return "."
	}
	return b.String()
}
