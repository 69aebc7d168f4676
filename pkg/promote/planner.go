package promote

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/gitward/gitward/pkg/config"
)

// planner collects the edits of one promotion.
type planner struct {
	src      fs.FS // the tree the source environment is read from
	dst      fs.FS // the working tree the target is edited in
	from, to config.Environment
	rules    config.Promotion

	yamls  map[string]*yamlFile // target YAML files being edited, by path
	order  []string             // their paths, in first-edit order
	copies map[string][]byte    // target files replaced whole (nil: deleted)
	moves  []Move
	notes  []string

	ctx    context.Context
	render RenderFunc // nil: no Flux pairing, no rendered comparison
}

// sourceYAML parses a file of the source tree.
func (p *planner) sourceYAML(name string) (*yamlFile, error) {
	data, err := fs.ReadFile(p.src, name)
	if err != nil {
		return nil, fmt.Errorf("read %s (%s): %w", name, p.from.Name, err)
	}
	return parseYAMLFile(name, data)
}

// targetYAML returns the editor of a target file, parsing it once.
func (p *planner) targetYAML(name string) (*yamlFile, error) {
	if f, ok := p.yamls[name]; ok {
		return f, nil
	}
	data, err := fs.ReadFile(p.dst, name)
	if err != nil {
		return nil, fmt.Errorf("read %s (%s): %w", name, p.to.Name, err)
	}
	f, err := parseYAMLFile(name, data)
	if err != nil {
		return nil, err
	}
	p.yamls[name] = f
	p.order = append(p.order, name)
	return f, nil
}

// move records a move.
func (p *planner) move(m Move) { p.moves = append(p.moves, m) }

// note records something the user should know that did not move.
func (p *planner) note(format string, args ...any) {
	p.notes = append(p.notes, fmt.Sprintf(format, args...))
}

// changes returns the new content of every changed target file.
func (p *planner) changes() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, name := range p.order {
		f := p.yamls[name]
		if len(f.splices) == 0 && !f.structural {
			continue
		}
		b, err := f.bytes()
		if err != nil {
			return nil, err
		}
		if !slices.Equal(b, f.src) {
			out[name] = b
		}
	}
	for name, c := range p.copies {
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%w: %s is both copied (promotion.files) and edited (images, configMapLiterals or yamlPaths); promote it one way", ErrRule, name)
		}
		out[name] = c
	}
	return out, nil
}

// exists reports whether name exists in fsys.
func exists(fsys fs.FS, name string) (fs.FileInfo, bool, error) {
	fi, err := fs.Stat(fsys, name)
	switch {
	case err == nil:
		return fi, true, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	}
	return nil, false, err
}
