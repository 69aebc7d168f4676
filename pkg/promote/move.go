package promote

import "fmt"

// MoveKind says what kind of value a Move copies.
type MoveKind string

// The kinds of moves.
const (
	MoveImage   MoveKind = "image"
	MoveFile    MoveKind = "file"
	MoveLiteral MoveKind = "literal"
	MoveYAML    MoveKind = "yaml"
)

// Move is one value a promotion copies into the target environment.
type Move struct {
	Kind MoveKind `json:"kind"`
	// File is the target file changed (slash path from the repository root).
	File string `json:"file"`
	// Name is what moved: an image name, a configMapGenerator name and
	// literal key ("app-config LOG_LEVEL"), a YAML path, or "" for a file.
	Name string `json:"name,omitempty"`
	// Before and After are the target's value before and after ("" when
	// absent), for images the image reference.
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// String is the move as the commit message lists it.
func (m Move) String() string {
	arrow := func() string {
		switch {
		case m.Before == "":
			return "(new) → " + m.After
		case m.After == "":
			return m.Before + " → (removed)"
		}
		return m.Before + " → " + m.After
	}
	switch m.Kind {
	case MoveImage:
		return fmt.Sprintf("image %s: %s", m.Name, arrow())
	case MoveLiteral:
		return fmt.Sprintf("configMapGenerator %s: %s (%s)", m.Name, arrow(), m.File)
	case MoveYAML:
		return fmt.Sprintf("%s %s: %s", m.File, m.Name, arrow())
	case MoveChart:
		return fmt.Sprintf("%s: %s (%s)", m.Name, arrow(), m.File)
	}
	switch {
	case m.After == "deleted":
		return "file " + m.File + " (deleted)"
	case m.Before == "":
		return "file " + m.File + " (new)"
	}
	return "file " + m.File
}
