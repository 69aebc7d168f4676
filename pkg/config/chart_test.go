package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseChartEnvironments(t *testing.T) {
	c, err := Parse([]byte(`apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
  - name: dev
    path: overlays/dev
  - name: staging
    chart:
      path: helm
      values: [helm/values.yaml, helm/values-staging.yaml]
      release: shop
      namespace: shop-staging
  - name: production
    chart: {path: helm}
`), "gitward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Environment{
		{Name: "dev", Path: "overlays/dev"},
		{Name: "staging", Path: "helm/values-staging.yaml", Chart: &Chart{Path: "helm", Values: []string{"helm/values.yaml", "helm/values-staging.yaml"}, Release: "shop", Namespace: "shop-staging"}},
		{Name: "production", Path: "helm", Chart: &Chart{Path: "helm"}},
	}
	if !reflect.DeepEqual(c.Environments, want) {
		t.Errorf("got %+v\nwant %+v", c.Environments, want)
	}
	if c.Sources[1].Path != "helm/values-staging.yaml" {
		t.Errorf("derived source path %q, want the environment's", c.Sources[1].Path)
	}
	if e, ok := c.ChartEnvironment("helm/values-staging.yaml"); !ok || e.Name != "staging" {
		t.Errorf("ChartEnvironment: %v %v", e, ok)
	}
	if _, ok := c.ChartEnvironment("overlays/dev"); ok {
		t.Error("a kustomize environment is not a chart environment")
	}
}

func TestChartEnvironmentErrors(t *testing.T) {
	_, err := Parse([]byte(`apiVersion: gitward.dev/v1alpha1
kind: Config
environments:
  - name: a
    chart: {path: ../helm, values: [/abs.yaml], release: Not_A_Name, namespace: "x y", extra: 1}
  - name: b
    chart: {path: helm}
  - name: c
    chart: {path: helm}
  - name: d
    chart: [1]
`), "gitward.yaml")
	if err == nil {
		t.Fatal("parsed")
	}
	msg := err.Error()
	for _, want := range []string{
		"environments[0].chart.path", "environments[0].chart.values[0]", "environments[0].chart.release",
		"environments[0].chart.namespace", `unknown field "extra"`, "environments[2].path", `also environment "b"`,
		"environments[3].chart",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if !errors.Is(err, ErrDuplicate) || !errors.Is(err, ErrInvalidPath) {
		t.Errorf("sentinels missing: %v", err)
	}
}
