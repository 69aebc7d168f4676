package expand

import (
	"os"
	"path/filepath"

	"github.com/gitward/gitward/pkg/chartfetch"
	"github.com/gitward/gitward/pkg/gitrepo"
)

// CacheEnv names the environment variable that overrides the chart cache
// folder of ForCheckout.
const CacheEnv = "GITWARD_CHART_CACHE"

// ForCheckout is the Expander of the commands run in a checkout (check,
// promote, diff): this repository is the one its remotes name, remote
// charts are cached in $GITWARD_CHART_CACHE, else the user's cache folder
// (~/.cache/gitward/charts), and no credential is sent.
func ForCheckout(root string) *Expander {
	x := &Expander{Charts: &chartfetch.Fetcher{CacheDir: chartCache()}}
	if r, err := gitrepo.Open(root); err == nil {
		if remotes, err := r.Git().Remotes(); err == nil {
			for _, rem := range remotes {
				x.RepoURLs = append(x.RepoURLs, rem.Config().URLs...)
			}
		}
		if head, err := r.Git().Head(); err == nil && head.Name().IsBranch() {
			x.Branch = head.Name().Short()
		}
	}
	return x
}

func chartCache() string {
	if d := os.Getenv(CacheEnv); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "gitward", "charts")
	}
	return filepath.Join(os.TempDir(), "gitward-charts")
}
