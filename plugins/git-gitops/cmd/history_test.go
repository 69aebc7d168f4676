package cmd

import (
	"regexp"
	"testing"
)

var dates = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

func TestHistoryGolden(t *testing.T) {
	r := gitRepo(t)
	overlays(r, "1.0.0", "1.0.0", "1.0.0")
	r.Commit("environments")
	r.WriteFile("README.md", "# manifests\n")
	r.Commit("docs: readme")
	overlays(r, "1.1.0", "1.0.0", "1.0.0")
	dev := r.Commit("dev: api 1.1.0")
	overlays(r, "1.1.0", "1.1.0", "1.0.0")
	r.Commit("staging: api 1.1.0\n\nPromoted-From: dev@" + dev)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"staging", []string{"history", "staging"}},
		{"production", []string{"history", "production", "--no-cache"}},
		{"limit-json", []string{"history", "staging", "--limit", "1", "-o", "json"}},
		{"unknown", []string{"history", "qa"}},
		{"no-env", []string{"history"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, r, "history/"+tt.name, dates.ReplaceAllString(run(t, r.Dir, tt.args...), "<date>"))
		})
	}
}
