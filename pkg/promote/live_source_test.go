package promote

import (
	"errors"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/config"
)

func TestSourceOf(t *testing.T) {
	env := config.Environment{Name: "staging", Path: "overlays/staging"}
	origins := []string{"https://git.example.com/org/manifests.git"}
	for _, tt := range []struct {
		name    string
		sources []config.Source
		want    string // "" for an error containing err
		err     string
	}{
		{"default", []config.Source{{Name: "staging", Path: "overlays/staging"}}, "staging", ""},
		{"own name wins", []config.Source{{Name: "eu", Path: "overlays/staging/"}, {Name: "staging", Path: "overlays/staging"}}, "staging", ""},
		{"other name", []config.Source{{Name: "eu", Path: "./overlays/staging"}}, "eu", ""},
		{"repo is origin", []config.Source{{Name: "staging", Path: "overlays/staging", Repo: "https://git.example.com/org/manifests/"}}, "staging", ""},
		{"repo is elsewhere", []config.Source{{Name: "staging", Path: "overlays/staging", Repo: "https://git.example.com/org/other.git"}}, "",
			"staging (repo https://git.example.com/org/other.git), are of another repository"},
		{"none", []config.Source{{Name: "production", Path: "overlays/production"}}, "", "no source of gitward.yaml tracks overlays/staging"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sourceOf(&config.Config{Sources: tt.sources}, env, origins)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("sourceOf = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrLive) || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want ErrLive containing %q", err, tt.err)
			}
		})
	}
}
