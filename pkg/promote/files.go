package promote

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
)

// promoteFile copies rule (a file or folder relative to the environment
// folders) from the source to the target as it is. A folder is mirrored:
// files only the target has under it are deleted. A path the source does
// not have is skipped with a note.
func (p *planner) promoteFile(i int, rule string) error {
	from, to := path.Join(p.from.Path, rule), path.Join(p.to.Path, rule)
	fi, ok, err := exists(p.src, from)
	if err != nil {
		return fmt.Errorf("read %s: %w", from, err)
	}
	if !ok {
		p.note("promotion.files[%d]: %s does not exist in %s; not promoted", i, from, p.from.Name)
		return nil
	}
	if !fi.IsDir() {
		return p.copyFile(from, to)
	}
	want := map[string]bool{}
	err = fs.WalkDir(p.src, from, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := relTo(from, name)
		want[rel] = true
		return p.copyFile(name, path.Join(to, rel))
	})
	if err != nil {
		return fmt.Errorf("copy %s: %w", from, err)
	}
	if _, ok, err := exists(p.dst, to); err != nil || !ok {
		return err
	}
	var stale []string
	err = fs.WalkDir(p.dst, to, func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !want[relTo(to, name)] {
			stale = append(stale, name)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", to, err)
	}
	slices.Sort(stale)
	for _, name := range stale {
		p.copies[name] = nil
		p.move(Move{Kind: MoveFile, File: name, Before: "present", After: "deleted"})
	}
	return nil
}

// copyFile records that to gets from's content, if it differs.
func (p *planner) copyFile(from, to string) error {
	data, err := fs.ReadFile(p.src, from)
	if err != nil {
		return fmt.Errorf("read %s (%s): %w", from, p.from.Name, err)
	}
	old, err := fs.ReadFile(p.dst, to)
	existed := err == nil
	if err != nil {
		if _, ok, serr := exists(p.dst, to); serr != nil || ok {
			return fmt.Errorf("read %s (%s): %w", to, p.to.Name, err)
		}
	}
	if existed && bytes.Equal(old, data) {
		return nil
	}
	p.copies[to] = data
	m := Move{Kind: MoveFile, File: to, After: "copied"}
	if existed {
		m.Before = "present"
	}
	p.move(m)
	return nil
}
