package worktree

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// fileState is a path as it was before Apply touched it.
type fileState struct {
	rel     string // slash-separated, relative to Root
	exists  bool
	content []byte
	mode    fs.FileMode
}

// snapshot is everything Apply may change, as it was.
type snapshot struct {
	index      []byte // nil: there was no index file
	indexMode  fs.FileMode
	files      []fileState
	createdDir []string // folders Apply created, deepest last
}

// take records the index and every path in changes.
func (t *Tree) take(changes []Change) (*snapshot, error) {
	s := &snapshot{}
	data, err := os.ReadFile(t.index)
	switch {
	case err == nil:
		s.index = data
		if fi, err := os.Stat(t.index); err == nil {
			s.indexMode = fi.Mode().Perm()
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read index %s: %w", t.index, err)
	}
	for _, c := range changes {
		st := fileState{rel: c.Path}
		p := t.abs(c.Path)
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
			// Absent; writing it will say why if a parent is a file.
		case err != nil:
			return nil, fmt.Errorf("read %s: %w", c.Path, err)
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("%w: %s is not a regular file (%s); it cannot be changed safely", ErrInvalidPath, c.Path, fi.Mode().Type())
		default:
			st.exists, st.mode = true, fi.Mode().Perm()
			if st.content, err = os.ReadFile(p); err != nil {
				return nil, fmt.Errorf("read %s: %w", c.Path, err)
			}
		}
		s.files = append(s.files, st)
	}
	return s, nil
}

// write applies changes to the working tree, recording created folders.
func (t *Tree) write(s *snapshot, changes []Change) error {
	for i, c := range changes {
		p := t.abs(c.Path)
		if c.Delete {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("delete %s: %w", c.Path, err)
			}
			continue
		}
		if err := t.mkdirs(s, path.Dir(c.Path)); err != nil {
			return fmt.Errorf("write %s: %w", c.Path, err)
		}
		mode := c.Mode.Perm()
		if mode == 0 {
			mode = 0o644
			if s.files[i].exists {
				mode = s.files[i].mode
			}
		}
		if err := writeFile(p, c.Content, mode); err != nil {
			return fmt.Errorf("write %s: %w", c.Path, err)
		}
	}
	return nil
}

// mkdirs creates dir and its missing parents, recording each it creates.
func (t *Tree) mkdirs(s *snapshot, dir string) error {
	if dir == "." || dir == "" {
		return nil
	}
	fi, err := os.Stat(t.abs(dir))
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is a file, not a folder", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := t.mkdirs(s, path.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(t.abs(dir), 0o755); err != nil {
		return err
	}
	s.createdDir = append(s.createdDir, dir)
	return nil
}

// restore puts every recorded path and the index back.
func (t *Tree) restore(s *snapshot) error {
	var errs []error
	for _, f := range s.files {
		p := t.abs(f.rel)
		if !f.exists {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				errs = append(errs, fmt.Errorf("remove %s: %w", f.rel, err))
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			errs = append(errs, fmt.Errorf("restore %s: %w", f.rel, err))
			continue
		}
		if err := writeFile(p, f.content, f.mode); err != nil {
			errs = append(errs, fmt.Errorf("restore %s: %w", f.rel, err))
		}
	}
	for _, dir := range slices.Backward(s.createdDir) {
		if err := os.Remove(t.abs(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove folder %s: %w", dir, err))
		}
	}
	if s.index == nil {
		if err := os.Remove(t.index); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove index: %w", err))
		}
	} else if err := writeFile(t.index, s.index, s.indexMode|0o600); err != nil {
		errs = append(errs, fmt.Errorf("restore index: %w", err))
	}
	return errors.Join(errs...)
}

// writeFile replaces name's content atomically (temporary file + rename)
// and sets its permissions.
func writeFile(name string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".gitward-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), mode)); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}

// abs returns the absolute path of a slash-separated relative path.
func (t *Tree) abs(rel string) string { return filepath.Join(t.Root, filepath.FromSlash(rel)) }

// checkPath validates a Change path.
func checkPath(p string) error {
	if p == "" || p == "." || strings.HasPrefix(p, "/") || path.Clean(p) != p || p == ".." ||
		strings.HasPrefix(p, "../") || strings.Contains(p, `\`) || p == ".git" || strings.HasPrefix(p, ".git/") {
		return fmt.Errorf("%w: %q; want a clean slash-separated path inside the working tree", ErrInvalidPath, p)
	}
	return nil
}
