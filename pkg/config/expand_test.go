package config

import "testing"

func TestExpandsAt(t *testing.T) {
	c, err := Parse([]byte(`apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
  - {name: staging, path: clusters/staging}
  - {name: production, path: clusters/production}
sources:
  - {name: staging, path: clusters/staging}
  - {name: production, path: clusters/production, expand: false}
`), "gitward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !c.ExpandsAt("clusters/staging") || c.ExpandsAt("clusters/production") {
		t.Errorf("staging %v, production %v; want true, false", c.ExpandsAt("clusters/staging"), c.ExpandsAt("clusters/production"))
	}
	if _, err := Parse([]byte("apiVersion: gitward.dev/v1alpha1\nkind: Config\nsources:\n  - {name: a, path: a, expand: sometimes}\n"), "gitward.yaml"); err == nil {
		t.Error("expand: sometimes accepted")
	}
}
