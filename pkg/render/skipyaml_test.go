package render_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/gitward/gitward/pkg/render"
)

// SkipYAML changes nothing but the YAML: the same objects, in the same
// order, with the same origins.
func TestSkipYAMLKeepsObjects(t *testing.T) {
	ctx := context.Background()
	for _, c := range goldenCases {
		t.Run(c, func(t *testing.T) {
			full, err := render.Dir(ctx, "testdata", c, render.Options{Origins: true})
			if err != nil {
				t.Fatal(err)
			}
			lean, err := render.Dir(ctx, "testdata", c, render.Options{Origins: true, SkipYAML: true})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(full.Objects, lean.Objects) {
				t.Errorf("objects differ with SkipYAML")
			}
			if !reflect.DeepEqual(full.Origins, lean.Origins) {
				t.Errorf("origins differ with SkipYAML")
			}
			if _, err := lean.YAML(); err != nil {
				t.Errorf("YAML of a SkipYAML result: %v", err)
			}
		})
	}
}
