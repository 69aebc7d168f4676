package promote

import (
	"fmt"
	"path"
	"strings"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/gitrepo"
)

// sourceOf returns the name of the source that tracks env's folder in
// this repository: a source without a repo (this checkout's origin), or
// whose repo is one of origins, the URLs of the checkout's origin. A
// source named like env wins over others.
func sourceOf(cfg *config.Config, env config.Environment, origins []string) (string, error) {
	var names, elsewhere []string
	for _, s := range cfg.Sources {
		if path.Clean(s.Path) != path.Clean(env.Path) {
			continue
		}
		if s.Repo != "" && !sameRepo(s.Repo, origins) {
			elsewhere = append(elsewhere, fmt.Sprintf("%s (repo %s)", s.Name, s.Repo))
			continue
		}
		if s.Name == env.Name {
			return s.Name, nil
		}
		names = append(names, s.Name)
	}
	if len(names) > 0 {
		return names[0], nil
	}
	if len(elsewhere) > 0 {
		return "", fmt.Errorf("%w: the sources that track %s, %s, are of another repository than this checkout's origin (%s); run promote in a checkout of that repository",
			ErrLive, env.Path, strings.Join(elsewhere, ", "), orNone(origins))
	}
	return "", fmt.Errorf("%w: no source of %s tracks %s; add one to gitward.yaml", ErrLive, config.FileName, env.Path)
}

// originURLs returns the URLs of the checkout's remote origin, if any.
func originURLs(repo *gitrepo.Repo) []string {
	r, err := repo.Git().Remote("origin")
	if err != nil {
		return nil
	}
	return r.Config().URLs
}

// sameRepo reports whether url names one of origins, ignoring a trailing
// slash and ".git".
func sameRepo(url string, origins []string) bool {
	norm := func(u string) string { return strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git") }
	for _, o := range origins {
		if norm(o) == norm(url) {
			return true
		}
	}
	return false
}

func orNone(urls []string) string {
	if len(urls) == 0 {
		return "none"
	}
	return strings.Join(urls, ", ")
}
