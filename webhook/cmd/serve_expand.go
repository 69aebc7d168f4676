package cmd

import (
	"os"
	"path/filepath"

	"github.com/gitward/gitward/pkg/chartfetch"
	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/expand"
)

// expanderOf renders a source as the agent does: Flux and Argo CD objects
// expanded to the objects they stand for (unless the source says expand:
// false), so the objects the agent applies from a HelmRelease are Git's in
// the webhook's view too. Remote charts are cached beside the clone.
func expanderOf(s config.Source, cloneDir string) *expand.Expander {
	dir := filepath.Join(os.TempDir(), "gitward-charts", s.Name)
	if cloneDir != "" {
		dir = filepath.Clean(cloneDir) + ".charts"
	}
	return &expand.Expander{
		Charts:   &chartfetch.Fetcher{CacheDir: dir},
		RepoURLs: []string{s.Repo},
		Branch:   s.Branch,
		Skip:     s.Expand != nil && !*s.Expand,
	}
}
