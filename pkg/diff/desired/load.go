package desired

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/config"
	fluxargo "github.com/gitward/gitward/pkg/expand"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/pkg/render"
)

// ErrUsage: options that cannot be combined.
var ErrUsage = errors.New("invalid desired-state options")

// Options says where the desired state comes from.
type Options struct {
	// Path is a kustomize folder; default ".". With Revision or Source it
	// also says which repository (any folder inside the checkout).
	Path string
	// Files are plain manifest files or folders (not kustomize), like
	// kubectl diff -f. Excludes Revision.
	Files []string
	// Revision renders Path (or the source's path) at this Git revision.
	Revision string
	// Source names a gitward.yaml source: its path is rendered, and its name
	// finds the objects to prune.
	Source string
	// AllowRemote lets kustomize fetch remote bases.
	AllowRemote bool
	// Stdin is read for the file "-" (default os.Stdin).
	Stdin io.Reader
}

// State is the desired state.
type State struct {
	Objects []*unstructured.Unstructured
	// Source is the source the objects belong to: Options.Source, or the
	// gitward.yaml source whose path is the rendered folder; "" if unknown.
	Source string
	// Commit is the revision rendered, "" for a folder on disk.
	Commit provenance.CommitID
	// From describes where the objects came from, for messages:
	// "overlays/prod at 1a2b3c4", "folder ./app".
	From string
}

// Load returns the desired state o names.
func Load(ctx context.Context, o Options) (*State, error) {
	if o.Path == "" {
		o.Path = "."
	}
	if len(o.Files) > 0 {
		if o.Revision != "" {
			return nil, fmt.Errorf("%w: --revision renders a folder from Git; it cannot be combined with -f", ErrUsage)
		}
		if o.Stdin == nil {
			o.Stdin = os.Stdin
		}
		objs, err := ReadFilesFrom(o.Files, o.Stdin)
		if err != nil {
			return nil, err
		}
		return &State{Objects: objs, Source: o.Source, From: strings.Join(o.Files, ", ")}, nil
	}
	repo, root, err := openRepo(o.Path)
	if err != nil {
		if o.Revision != "" || o.Source != "" {
			return nil, err
		}
		// Outside a checkout there is no repository root to stop at: render
		// from the filesystem root, so that "../base" resolves as kustomize
		// build resolves it, and errors name the folder given.
		abs, aerr := filepath.Abs(o.Path)
		if aerr != nil {
			return nil, fmt.Errorf("folder %s: %w", o.Path, aerr)
		}
		root := outsideRoot(abs)
		rel, _ := filepath.Rel(root, abs)
		res, rerr := fluxargo.ForCheckout(abs).Dir(ctx, root, filepath.ToSlash(rel), render.Options{AllowRemote: o.AllowRemote, SkipYAML: true})
		if rerr != nil {
			return nil, fmt.Errorf("folder %s: %w", o.Path, hint(rerr))
		}
		return &State{Objects: res.Objects, From: "folder " + o.Path}, nil
	}
	rel, err := relativeTo(root, o.Path)
	if err != nil {
		return nil, err
	}
	if o.Revision != "" {
		return atRevision(ctx, repo, rel, o)
	}
	st := &State{Source: o.Source}
	cfg, cfgErr := config.Load(root)
	if o.Source != "" {
		if cfgErr != nil {
			return nil, fmt.Errorf("--source %s: %w", o.Source, cfgErr)
		}
		src, err := cfg.Source(o.Source)
		if err != nil {
			return nil, fmt.Errorf("--source: %w", err)
		}
		rel = path.Clean(src.Path)
	} else if cfgErr == nil && cfg.File != "" {
		st.Source = sourceAt(cfg, rel)
	}
	res, err := expanderAt(cfg, cfgErr, root, rel).Dir(ctx, root, rel, render.Options{AllowRemote: o.AllowRemote, SkipYAML: true})
	if err != nil {
		return nil, hint(err)
	}
	st.Objects, st.From = res.Objects, "folder "+rel
	return st, nil
}

// atRevision renders rel (or the source's path) from the Git tree at o.Revision.
func atRevision(ctx context.Context, repo *gitrepo.Repo, rel string, o Options) (*State, error) {
	h, err := repo.Resolve(o.Revision)
	if err != nil {
		return nil, fmt.Errorf("--revision %s: %w", o.Revision, err)
	}
	tree, err := repo.TreeFS(h)
	if err != nil {
		return nil, fmt.Errorf("--revision %s: %w", o.Revision, err)
	}
	st := &State{Source: o.Source, Commit: provenance.CommitID(h.String())}
	cfg, cfgErr := config.LoadFS(tree)
	if o.Source != "" {
		if cfgErr != nil {
			return nil, fmt.Errorf("--source %s at %s: %w", o.Source, o.Revision, cfgErr)
		}
		src, err := cfg.Source(o.Source)
		if err != nil {
			return nil, fmt.Errorf("--source at %s: %w", o.Revision, err)
		}
		rel = path.Clean(src.Path)
	} else if cfgErr == nil && cfg.File != "" {
		st.Source = sourceAt(cfg, rel)
	}
	x := fluxargo.ForCheckout(repoRoot(repo))
	x.Skip = cfgErr == nil && !cfg.ExpandsAt(rel)
	res, err := x.FS(ctx, tree, rel, render.Options{AllowRemote: o.AllowRemote, SkipYAML: true})
	if err != nil {
		return nil, fmt.Errorf("render %s at %s: %w", rel, o.Revision, err)
	}
	st.Objects, st.From = res.Objects, rel+" at "+st.Commit.Short()
	return st, nil
}

// openRepo opens the checkout holding dir and returns its root folder.
func openRepo(dir string) (*gitrepo.Repo, string, error) {
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return nil, "", err
	}
	wt, err := repo.Git().Worktree()
	if err != nil {
		return nil, "", fmt.Errorf("open repository %s: %w", dir, err)
	}
	return repo, wt.Filesystem.Root(), nil
}

// relativeTo returns dir relative to root, slash-separated.
func relativeTo(root, dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("folder %s: %w", dir, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("folder %s is outside the repository at %s", dir, root)
	}
	return filepath.ToSlash(rel), nil
}

// sourceAt returns the name of the only source whose path is rel, else "".
//
// Only a gitward.yaml names sources: a layout's inferred names need not be
// the labels the live objects carry, so without one the source is left to
// the live objects' label (diff's InferSource).
func sourceAt(cfg *config.Config, rel string) string {
	found := ""
	for _, s := range cfg.Sources {
		if path.Clean(s.Path) == path.Clean(rel) {
			if found != "" {
				return ""
			}
			found = s.Name
		}
	}
	return found
}

// hint adds to a missing-kustomization error how to diff plain manifests.
func hint(err error) error {
	if errors.Is(err, render.ErrNoKustomization) {
		return fmt.Errorf("%w (for plain manifests, pass them with -f FILE_OR_FOLDER)", err)
	}
	return err
}

// expanderAt is the Expander of folder rel of the checkout at root: Flux
// and Argo CD objects expanded unless its source says expand: false.
func expanderAt(cfg *config.Config, cfgErr error, root, rel string) *fluxargo.Expander {
	x := fluxargo.ForCheckout(root)
	x.Skip = cfgErr == nil && !cfg.ExpandsAt(rel)
	return x
}

// repoRoot is the work tree of repo, or "" for a bare repository (the
// Expander then knows no remote URL).
func repoRoot(repo *gitrepo.Repo) string {
	wt, err := repo.Git().Worktree()
	if err != nil {
		return ""
	}
	return wt.Filesystem.Root()
}

// outsideRoot is the root a folder outside any checkout renders from: its
// top-level folder (/home, /tmp), so that "../base" references between
// folders resolve, as kustomize build resolves them.
func outsideRoot(abs string) string {
	vol := filepath.VolumeName(abs) + string(filepath.Separator)
	top, _, _ := strings.Cut(strings.TrimPrefix(abs, vol), string(filepath.Separator))
	return filepath.Join(vol, top)
}
