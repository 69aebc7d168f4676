package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const promotionHead = "apiVersion: gitward.dev/v1alpha1\nkind: Config\nenvironments: [{name: staging, path: overlays/staging}]\n"

func TestParsePromotionRules(t *testing.T) {
	doc := promotionHead + `promotion:
  configMapLiterals:
    - name: app-config
      keys: [LOG_LEVEL, FEATURE_X]
    - name: all-keys
  yamlPaths:
    - file: podinfo-values.yaml
      path: spec.chart.spec.version
    - file: deploy.yaml
      path: spec.template.spec.containers[name=app].image
      kind: Deployment
      name: app
`
	c, err := Parse([]byte(doc), "gitward.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := Promotion{
		Images: true,
		ConfigMapLiterals: []ConfigMapLiterals{
			{Name: "app-config", Keys: []string{"LOG_LEVEL", "FEATURE_X"}},
			{Name: "all-keys"},
		},
		YAMLPaths: []YAMLPath{
			{File: "podinfo-values.yaml", Path: "spec.chart.spec.version"},
			{File: "deploy.yaml", Path: "spec.template.spec.containers[name=app].image", Kind: "Deployment", Name: "app"},
		},
	}
	if !reflect.DeepEqual(c.Promotion, want) {
		t.Errorf("Promotion = %+v, want %+v", c.Promotion, want)
	}
}

func TestParsePromotionRulesInvalid(t *testing.T) {
	tests := []struct {
		name, promotion string
		sentinel        error
		want            string
	}{
		{"literal without name", "  configMapLiterals: [{keys: [A]}]\n", ErrInvalidValue,
			"promotion.configMapLiterals[0].name: missing"},
		{"literal twice", "  configMapLiterals: [{name: a}, {name: a}]\n", ErrDuplicate,
			`configMapGenerator "a" is listed twice`},
		{"bad key", "  configMapLiterals: [{name: a, keys: [\"A=B\"]}]\n", ErrInvalidValue,
			`promotion.configMapLiterals[0].keys[0]: "A=B" is not a literal key`},
		{"unknown literal field", "  configMapLiterals: [{name: a, key: A}]\n", ErrUnknownField,
			`unknown field "key"`},
		{"path escapes", "  yamlPaths: [{file: ../x.yaml, path: a.b}]\n", ErrInvalidPath,
			`promotion.yamlPaths[0].file: "../x.yaml" leaves the repository`},
		{"empty path", "  yamlPaths: [{file: x.yaml}]\n", ErrInvalidValue,
			`promotion.yamlPaths[0].path: "" is not a field path`},
		{"dotted badly", "  yamlPaths: [{file: x.yaml, path: a..b}]\n", ErrInvalidValue,
			`"a..b" is not a field path`},
		{"not a list", "  yamlPaths: x\n", ErrInvalidValue, "promotion.yamlPaths: want a list"},
		{"unknown rule", "  literals: []\n", ErrUnknownField,
			"known fields: images, files, configMapLiterals, yamlPaths"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(promotionHead+"promotion:\n"+tt.promotion), "gitward.yaml")
			if err == nil {
				t.Fatal("Parse: no error")
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("error %v does not wrap %v", err, tt.sentinel)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}
