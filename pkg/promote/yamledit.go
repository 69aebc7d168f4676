package promote

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// yamlFile is a YAML file (one or more documents) being edited. Edits are
// made on kyaml nodes; when every edit replaced a one-line scalar with
// another, the new content is the old bytes with just those scalars spliced
// in (every comment, blank line, indentation and quote kept). Any other
// edit re-encodes the file with kyaml, which keeps comments and the
// sequence indentation style but not blank lines.
type yamlFile struct {
	name       string
	src        []byte
	docs       []*kyaml.RNode
	splices    []splice
	structural bool
}

// splice replaces src[start:end] with text.
type splice struct {
	start, end int
	text       string
}

// parseYAMLFile parses every document of src; name is used in errors.
func parseYAMLFile(name string, src []byte) (*yamlFile, error) {
	f := &yamlFile{name: name, src: src}
	dec := kyaml.NewDecoder(bytes.NewReader(src))
	for {
		var n kyaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if n.Kind == kyaml.DocumentNode && len(n.Content) == 1 {
			f.docs = append(f.docs, kyaml.NewRNode(n.Content[0]))
		}
	}
	return f, nil
}

// setScalar sets key of mapping m to a copy of value, a scalar. It reports
// whether anything changed.
func (f *yamlFile) setScalar(m *kyaml.RNode, key string, value *kyaml.Node) (bool, error) {
	old := m.Field(key)
	if old != nil && old.Value.YNode().Kind == kyaml.ScalarNode {
		on := old.Value.YNode()
		if on.Value == value.Value && on.Tag == value.Tag {
			return false, nil
		}
		style := on.Style
		if style == 0 || style == kyaml.TaggedStyle {
			style = value.Style
		}
		if sp, ok := f.scalarSplice(on, value.Value, value.Tag, style); ok {
			f.splices = append(f.splices, sp)
		} else {
			f.structural = true
		}
		on.Value, on.Tag, on.Style = value.Value, value.Tag, style
		return true, nil
	}
	f.structural = true
	v := *value
	v.Line, v.Column, v.HeadComment, v.LineComment, v.FootComment = 0, 0, "", "", ""
	if err := m.PipeE(kyaml.SetField(key, kyaml.NewRNode(&v))); err != nil {
		return false, fmt.Errorf("%s: set %s: %w", f.name, key, err)
	}
	return true, nil
}

// clearField removes key from mapping m; it reports whether it was there.
func (f *yamlFile) clearField(m *kyaml.RNode, key string) (bool, error) {
	if m.Field(key) == nil {
		return false, nil
	}
	if _, err := m.Pipe(kyaml.Clear(key)); err != nil {
		return false, fmt.Errorf("%s: remove %s: %w", f.name, key, err)
	}
	f.structural = true
	return true, nil
}

// appendItem appends a copy of item to sequence s.
func (f *yamlFile) appendItem(s *kyaml.RNode, item *kyaml.RNode) {
	f.structural = true
	s.YNode().Style = s.YNode().Style &^ kyaml.FlowStyle
	s.YNode().Content = append(s.YNode().Content, item.Copy().YNode())
}

// bytes returns the edited file.
func (f *yamlFile) bytes() ([]byte, error) {
	if !f.structural {
		out := slices.Clone(f.src)
		slices.SortFunc(f.splices, func(a, b splice) int { return b.start - a.start })
		for _, sp := range f.splices {
			out = slices.Concat(out[:sp.start], []byte(sp.text), out[sp.end:])
		}
		return out, nil
	}
	style := kyaml.DeriveSeqIndentStyle(string(f.src))
	var buf bytes.Buffer
	for i, d := range f.docs {
		if i > 0 {
			buf.WriteString("---\n")
		}
		b, err := kyaml.MarshalWithOptions(d.Document(), &kyaml.EncoderOptions{SeqIndent: kyaml.SequenceIndentStyle(style)})
		if err != nil {
			return nil, fmt.Errorf("%s: encode: %w", f.name, err)
		}
		buf.Write(b)
	}
	return buf.Bytes(), nil
}

// scalarSplice returns the splice replacing the one-line scalar n with
// value, or false when n's text cannot be located exactly.
func (f *yamlFile) scalarSplice(n *kyaml.Node, value, tag string, style kyaml.Style) (splice, bool) {
	start, ok := offset(f.src, n.Line, n.Column)
	if !ok {
		return splice{}, false
	}
	lineEnd := bytes.IndexByte(f.src[start:], '\n')
	if lineEnd < 0 {
		lineEnd = len(f.src) - start
	}
	line := string(f.src[start : start+lineEnd])
	end := tokenEnd(line)
	if end <= 0 {
		return splice{}, false
	}
	// The located text must decode to the old value.
	var got string
	if err := kyaml.Unmarshal([]byte(line[:end]), &got); err != nil || got != n.Value {
		return splice{}, false
	}
	text, err := kyaml.Marshal(&kyaml.Node{Kind: kyaml.ScalarNode, Value: value, Tag: tag, Style: style})
	if err != nil {
		return splice{}, false
	}
	t := strings.TrimSuffix(string(text), "\n")
	if strings.Contains(t, "\n") {
		return splice{}, false
	}
	return splice{start: start, end: start + end, text: t}, true
}

// tokenEnd returns the length of the scalar token at the start of line:
// a quoted string up to its closing quote, or a plain scalar up to a
// comment or the end of the line (trailing blanks excluded). 0: not found.
func tokenEnd(line string) int {
	switch {
	case strings.HasPrefix(line, `"`):
		for i := 1; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return 0
	case strings.HasPrefix(line, `'`):
		for i := 1; i < len(line); i++ {
			if line[i] == '\'' {
				if i+1 < len(line) && line[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
		return 0
	}
	end := len(line)
	if i := strings.Index(line, " #"); i >= 0 {
		end = i
	}
	return len(strings.TrimRight(line[:end], " \t\r"))
}

// offset converts a 1-based line and column (in characters) to a byte
// offset of src.
func offset(src []byte, line, column int) (int, bool) {
	if line < 1 || column < 1 {
		return 0, false
	}
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return 0, false
		}
		off += i + 1
	}
	for c := 1; c < column; c++ {
		if off >= len(src) || src[off] == '\n' {
			return 0, false
		}
		_, size := utf8.DecodeRune(src[off:])
		off += size
	}
	return off, true
}
