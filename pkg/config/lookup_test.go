package config

import (
	"errors"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	file := &Config{File: "gitward.yaml",
		Environments: envs("dev", "overlays/dev", "production", "overlays/production"),
		Sources:      []Source{{Name: "production", Branch: "main", Path: "overlays/production"}}}
	layout := &Config{Layout: "overlays"}
	tests := []struct {
		name    string
		lookup  func() (any, error)
		want    any
		wantErr string
	}{
		{"environment", func() (any, error) { return file.Environment("production") }, Environment{Name: "production", Path: "overlays/production"}, ""},
		{"source", func() (any, error) { return file.Source("production") }, Source{Name: "production", Branch: "main", Path: "overlays/production"}, ""},
		{"unknown environment", func() (any, error) { return file.Environment("prd") }, Environment{},
			`environment "prd": not found in gitward.yaml; known environments: dev, production`},
		{"unknown source", func() (any, error) { return file.Source("dev") }, Source{},
			`source "dev": not found in gitward.yaml; known sources: production`},
		{"layout, none known", func() (any, error) { return layout.Environment("dev") }, Environment{},
			`environment "dev": not found in the conventional layout overlays/<environment>; known environments: none`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.lookup()
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrNotFound) || err.Error() != tt.wantErr {
				t.Fatalf("error = %v, want %q wrapping ErrNotFound", err, tt.wantErr)
			}
		})
	}
	if got := strings.Join(file.EnvironmentNames(), ","); got != "dev,production" {
		t.Errorf("EnvironmentNames = %s", got)
	}
}

func TestSortEnvironments(t *testing.T) {
	names := []string{"prod-us", "prod", "production", "uat", "preprod", "canary", "stage", "staging",
		"qa", "test", "development", "dev", "production-eu", "local"}
	es := make([]Environment, len(names))
	for i, n := range names {
		es[i] = Environment{Name: n}
	}
	SortEnvironments(es)
	var got []string
	for _, e := range es {
		got = append(got, e.Name)
	}
	want := "dev development test qa staging stage preprod canary local uat production prod prod-us production-eu"
	if strings.Join(got, " ") != want {
		t.Fatalf("order =\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
}
