package promote

import (
	"fmt"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// imageFields are the fields of a kustomize images entry that move.
var imageFields = []string{"newName", "newTag", "digest"}

// promoteImages copies the images entries of the source kustomization into
// the target's: an entry of the same name gets the source's newName, newTag
// and digest (fields the source does not set are removed); an entry the
// target lacks is appended. Entries only the target has are left alone.
func (p *planner) promoteImages(pair kustomizationPair) error {
	src, err := p.sourceYAML(pair.from)
	if err != nil || len(src.docs) == 0 {
		return err
	}
	srcImages := src.docs[0].Field("images")
	if srcImages == nil || srcImages.Value.YNode().Kind != kyaml.SequenceNode {
		return nil
	}
	dst, err := p.targetYAML(pair.to)
	if err != nil {
		return err
	}
	if len(dst.docs) == 0 {
		return fmt.Errorf("%s: empty kustomization", pair.to)
	}
	root := dst.docs[0]
	for i, item := range srcImages.Value.Content() {
		entry := kyaml.NewRNode(item)
		name := scalarField(entry, "name")
		if item.Kind != kyaml.MappingNode || name == "" {
			return fmt.Errorf("%s: images[%d]: want a mapping with a name", pair.from, i)
		}
		images, err := root.Pipe(kyaml.LookupCreate(kyaml.SequenceNode, "images"))
		if err != nil {
			return fmt.Errorf("%s: images: %w", pair.to, err)
		}
		if images.YNode().Kind != kyaml.SequenceNode {
			return fmt.Errorf("%s: images: want a list", pair.to)
		}
		target, err := images.Pipe(kyaml.MatchElement("name", name))
		if err != nil {
			return fmt.Errorf("%s: images: %w", pair.to, err)
		}
		if target == nil {
			dst.appendItem(images, entry)
			p.move(Move{Kind: MoveImage, File: pair.to, Name: name, After: imageRef(entry)})
			continue
		}
		before := imageRef(target)
		changed := false
		for _, f := range imageFields {
			var c bool
			if v := entry.Field(f); v != nil {
				c, err = dst.setScalar(target, f, v.Value.YNode())
			} else {
				c, err = dst.clearField(target, f)
			}
			if err != nil {
				return fmt.Errorf("%s: images[name=%s]: %w", pair.to, name, err)
			}
			changed = changed || c
		}
		if changed {
			p.move(Move{Kind: MoveImage, File: pair.to, Name: name, Before: before, After: imageRef(target)})
		}
	}
	return nil
}

// imageRef is the image reference an images entry produces.
func imageRef(entry *kyaml.RNode) string {
	ref := scalarField(entry, "newName")
	if ref == "" {
		ref = scalarField(entry, "name")
	}
	if t := scalarField(entry, "newTag"); t != "" {
		ref += ":" + t
	}
	if d := scalarField(entry, "digest"); d != "" {
		ref += "@" + d
	}
	return ref
}

// scalarField returns the value of scalar field key of mapping m, or "".
func scalarField(m *kyaml.RNode, key string) string {
	f := m.Field(key)
	if f == nil || f.Value.YNode().Kind != kyaml.ScalarNode {
		return ""
	}
	return f.Value.YNode().Value
}
