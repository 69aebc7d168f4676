package install

import (
	"fmt"
	"strings"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/gitrepo"
)

// Sources turns --source flags into sources. A flag NAME=REPO@BRANCH:PATH
// is a source by itself; a bare NAME picks that source from the gitward.yaml
// of the checkout at dir. Without flags, every source of that gitward.yaml
// is taken. Sources without a repository get the checkout's origin URL.
func Sources(dir string, flags []string) ([]config.Source, error) {
	var out, fromConfig []config.Source
	var names []string
	for _, f := range flags {
		if strings.Contains(f, "=") {
			s, err := ParseSource(f)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		} else {
			names = append(names, f)
		}
	}
	if len(flags) > 0 && len(names) == 0 {
		return out, nil
	}
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: no --source NAME=REPO@BRANCH:PATH given and %s is not a checkout with a gitward.yaml: %w", ErrNoSources, dir, err)
	}
	wt, err := repo.Git().Worktree()
	if err != nil {
		return nil, fmt.Errorf("sources from %s: %w", dir, err)
	}
	cfg, err := config.Load(wt.Filesystem.Root())
	if err != nil {
		return nil, fmt.Errorf("sources from the checkout: %w", err)
	}
	if len(names) == 0 {
		fromConfig = cfg.Sources
	}
	for _, n := range names {
		s, err := cfg.Source(n)
		if err != nil {
			return nil, fmt.Errorf("--source: %w", err)
		}
		fromConfig = append(fromConfig, s)
	}
	origin := originURL(repo)
	for _, s := range fromConfig {
		if s.Repo == "" {
			s.Repo = origin
		}
		out = append(out, s)
	}
	return out, nil
}

// originURL is the first URL of the checkout's origin remote, or "".
func originURL(repo *gitrepo.Repo) string {
	r, err := repo.Git().Remote("origin")
	if err != nil || len(r.Config().URLs) == 0 {
		return ""
	}
	return r.Config().URLs[0]
}
