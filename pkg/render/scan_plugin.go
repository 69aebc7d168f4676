package render

import (
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// pluginPathKeys are the fields of kustomize's builtin generator and
// transformer configurations that name files to load.
var pluginPathKeys = map[string]bool{
	"path": true, "files": true, "envs": true, "env": true,
	"valuesFile": true, "additionalValuesFiles": true, "chartHome": true,
	"targetFilePath": true, "argsFromFile": true,
}

// pluginConfig checks the file references inside generator/transformer
// configurations (e.g. a PatchTransformer's path).
func (c refChecker) pluginConfig(field string, data []byte) error {
	nodes, err := kio.FromBytes(data)
	if err != nil {
		return nil
	}
	for _, n := range nodes {
		if err := c.walkPluginNode(field, n.YNode()); err != nil {
			return err
		}
	}
	return nil
}

func (c refChecker) walkPluginNode(field string, n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			if pluginPathKeys[k] {
				if err := c.pluginRefs(field+" "+k, v); err != nil {
					return err
				}
				continue
			}
			if err := c.walkPluginNode(field, v); err != nil {
				return err
			}
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for _, e := range n.Content {
			if err := c.walkPluginNode(field, e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c refChecker) pluginRefs(field string, v *yaml.Node) error {
	vals := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		vals = v.Content
	}
	for _, e := range vals {
		if e.Kind != yaml.ScalarNode || e.Value == "" {
			continue
		}
		ref := e.Value
		if strings.HasSuffix(field, " files") && !isRemote(ref) {
			ref = fileSourcePath(ref)
		}
		if _, err := c.local(field, ref); err != nil {
			return err
		}
	}
	return nil
}
