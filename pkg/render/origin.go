package render

import (
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Origin says where a rendered object was declared.
type Origin struct {
	// Path is the file that declared the object, as a slash path relative
	// to the root; for a generated object (configMapGenerator, ...) it is
	// the kustomization file holding the generator. For an object from a
	// remote base it is relative to that repository.
	Path string
	// Generator is the kind of the generator that made the object, e.g.
	// "ConfigMapGenerator"; empty for objects read from a file.
	Generator string
	// Repo and Ref are set for objects from a remote base.
	Repo, Ref string
}

// withOriginTracking returns the root kustomization with originAnnotations
// added to buildMetadata, which makes kustomize record each object's origin
// in an annotation. The annotations are stripped again after the build, as
// kustomize itself does whenever buildMetadata is set without
// originAnnotations, so the output is unchanged. keep reports that the
// kustomization already asks for the annotations in its output.
func withOriginTracking(content []byte) (out []byte, keep bool, ok bool) {
	rn, err := yaml.Parse(string(content))
	if err != nil || rn.YNode().Kind != yaml.MappingNode {
		return nil, false, false
	}
	m := rn.YNode()
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !strings.EqualFold(m.Content[i].Value, "buildMetadata") {
			continue
		}
		v := m.Content[i+1]
		switch {
		case v.Kind == yaml.SequenceNode:
			for _, e := range v.Content {
				if e.Value == types.OriginAnnotations {
					return nil, true, false
				}
			}
			v.Content = append(v.Content, yaml.NewStringRNode(types.OriginAnnotations).YNode())
		case v.Kind == yaml.ScalarNode && (v.Tag == yaml.NodeTagNull || v.Value == ""):
			m.Content[i+1] = originSeq()
		default:
			return nil, false, false
		}
		return serialize(rn)
	}
	m.Content = append(m.Content, yaml.NewStringRNode("buildMetadata").YNode(), originSeq())
	return serialize(rn)
}

func originSeq() *yaml.Node {
	return yaml.NewListRNode(types.OriginAnnotations).YNode()
}

func serialize(rn *yaml.RNode) ([]byte, bool, bool) {
	s, err := rn.String()
	if err != nil {
		return nil, false, false
	}
	return []byte(s), false, true
}

// originOf reads the origin kustomize recorded on res; kdir is the
// rendered kustomization's folder (slash path relative to the root).
func originOf(res *resource.Resource, kdir string) (Origin, error) {
	o, err := res.GetOrigin()
	if err != nil || o == nil {
		return Origin{}, err
	}
	out := Origin{Repo: o.Repo, Ref: o.Ref}
	p := o.Path
	if o.ConfiguredIn != "" {
		p = o.ConfiguredIn
		out.Generator = o.ConfiguredBy.Kind
	}
	if p == "" {
		return out, nil
	}
	p = filepath.ToSlash(p)
	if out.Repo == "" {
		p = path.Join(kdir, p)
	}
	out.Path = path.Clean(p)
	return out, nil
}

// trackOrigins arranges, through overrides when want is set, for
// kustomize to record each object's origin while building the
// kustomization in kdir. track reports whether origins will be recorded,
// keep that the kustomization itself asks for the origin annotations in
// its output (then they are recorded whatever want says).
func (s *scanner) trackOrigins(kdir string, want bool, overrides map[string][]byte) (track, keep bool) {
	pk, ok := s.parsed[kdir]
	if !ok || pk.k.CheckEmpty() != nil {
		return false, false
	}
	if slices.Contains(pk.k.BuildMetadata, types.OriginAnnotations) {
		return true, true
	}
	if !want {
		return false, false
	}
	file, _, err := s.res.resolve(pk.file)
	if err != nil {
		return false, false
	}
	data, err := fs.ReadFile(s.res.fsys, file)
	if err != nil {
		return false, false
	}
	out, keep, ok := withOriginTracking(data)
	if keep {
		return true, true
	}
	if !ok {
		return false, false
	}
	overrides[file] = out
	return true, false
}
