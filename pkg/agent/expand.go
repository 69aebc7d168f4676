package agent

import (
	"os"
	"path/filepath"

	"github.com/gitward/gitward/pkg/chartfetch"
	"github.com/gitward/gitward/pkg/expand"
)

// expander expands the Flux and Argo CD objects of the source's rendering
// as kubectl gitops sync, diff and the webhook do: the agent applies a
// HelmRelease's objects itself, so the webhook (which expands the same way)
// admits them and guards them afterwards. Remote charts are cached beside
// the clone, so a restart on the same work folder fetches none again.
func (s *Syncer) expander() *expand.Expander {
	dir := filepath.Join(os.TempDir(), "gitward-charts")
	if s.o.WorkDir != "" {
		dir = filepath.Clean(s.o.WorkDir) + ".charts"
	}
	return &expand.Expander{
		Charts:   &chartfetch.Fetcher{CacheDir: dir},
		RepoURLs: []string{s.o.Source.Repo},
		Branch:   s.o.Source.Branch,
	}
}
