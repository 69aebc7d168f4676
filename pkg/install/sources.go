package install

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/render"
)

// ErrSeveralSources: a gitward.yaml names several sources and none was
// picked.
var ErrSeveralSources = errors.New("one environment per cluster")

// Sources turns --source flags into sources. A flag NAME=REPO@BRANCH:PATH
// is a source by itself; a bare NAME picks that source from the gitward.yaml
// of the checkout at dir. Without flags, the one source of that gitward.yaml
// is taken; when it names several (dev, staging, prod: usually one cluster
// each), all of them only with all, else ErrSeveralSources. Sources without
// a repository get the checkout's origin URL.
func Sources(dir string, flags []string, all bool) ([]config.Source, error) {
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
		if len(fromConfig) > 1 && !all {
			return nil, fmt.Errorf("%w: %s names %d sources (%s) and a cluster usually runs one environment: pick it with --source NAME, or pass --all-sources to install them all into this cluster",
				ErrSeveralSources, cmp.Or(cfg.File, config.FileName), len(fromConfig), strings.Join(cfg.SourceNames(), ", "))
		}
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

// ErrOverlap: two sources declare the same object, so two agents would
// fight over it.
var ErrOverlap = errors.New("two sources declare the same object")

// CheckOverlap renders each source whose folder is in the checkout at dir
// (its working tree: what it would push) and refuses two sources that
// declare the same object, naming both and the object. It returns a note
// per source it could not check (its folder is elsewhere or does not
// render here).
func CheckOverlap(ctx context.Context, dir string, sources []config.Source) (notes []string, err error) {
	if len(sources) < 2 {
		return nil, nil
	}
	root := ""
	if repo, err := gitrepo.Open(dir); err == nil {
		if wt, err := repo.Git().Worktree(); err == nil {
			root = wt.Filesystem.Root()
		}
	}
	owner := map[string]string{} // object → source
	for _, s := range sources {
		if root == "" {
			notes = append(notes, fmt.Sprintf("source %s not checked for objects another source declares: not run in its checkout", s.Name))
			continue
		}
		if fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(s.Path))); err != nil || !fi.IsDir() {
			notes = append(notes, fmt.Sprintf("source %s not checked for objects another source declares: %s is not a folder of this checkout", s.Name, s.Path))
			continue
		}
		r, err := render.Dir(ctx, root, s.Path, render.Options{SkipYAML: true})
		if err != nil {
			notes = append(notes, fmt.Sprintf("source %s not checked for objects another source declares: %v", s.Name, err))
			continue
		}
		for _, u := range r.Objects {
			key := u.GetKind() + " " + u.GetName()
			if ns := u.GetNamespace(); ns != "" {
				key = u.GetKind() + " " + ns + "/" + u.GetName()
			}
			if g := u.GroupVersionKind().Group; g != "" {
				key = g + "/" + key
			}
			if other, ok := owner[key]; ok && other != s.Name {
				return notes, fmt.Errorf("%w: %s is declared by source %s (%s) and by source %s (%s): keep it in one of them, or install them into different clusters",
					ErrOverlap, key, other, pathOf(sources, other), s.Name, s.Path)
			}
			owner[key] = s.Name
		}
	}
	return notes, nil
}

func pathOf(sources []config.Source, name string) string {
	for _, s := range sources {
		if s.Name == name {
			return s.Path
		}
	}
	return ""
}
