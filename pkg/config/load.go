package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxFileSize bounds the gitward.yaml gitward reads.
const maxFileSize = 1 << 20

// Options adjust Load and LoadFS.
type Options struct {
	// DefaultBranch is the branch of sources that name none. Empty: the
	// checkout's current branch for Load, else "main".
	DefaultBranch string
}

// Load reads the configuration of the checkout at repoRoot (its root
// folder): gitward.yaml, or else the conventional layouts. Files are read
// through an os.Root, so symbolic links cannot lead outside repoRoot.
func Load(repoRoot string) (*Config, error) { return LoadWith(repoRoot, Options{}) }

// LoadWith is Load with options.
func LoadWith(repoRoot string, o Options) (*Config, error) {
	root, err := os.OpenRoot(repoRoot)
	if err != nil {
		return nil, fmt.Errorf("load configuration: %w", err)
	}
	defer root.Close()
	if o.DefaultBranch == "" {
		o.DefaultBranch = currentBranch(repoRoot)
	}
	return loadFS(root.FS(), filepath.Join(repoRoot, FileName), o)
}

// LoadFS reads the configuration from a repository tree, such as a Git tree
// at a commit: gitward.yaml at its root, or else the conventional layouts.
func LoadFS(fsys fs.FS) (*Config, error) { return LoadFSWith(fsys, Options{}) }

// LoadFSWith is LoadFS with options.
func LoadFSWith(fsys fs.FS, o Options) (*Config, error) {
	return loadFS(fsys, FileName, o)
}

// loadFS reads fsys; file is how errors name gitward.yaml.
func loadFS(fsys fs.FS, file string, o Options) (*Config, error) {
	def := defaults{branch: o.DefaultBranch}
	if def.branch == "" {
		def.branch = DefaultBranch
	}
	if fi, err := fs.Stat(fsys, strings.TrimSuffix(DefaultPolicies, "/")); err == nil && fi.IsDir() {
		def.policies = []string{DefaultPolicies}
	}
	data, err := readFile(fsys, file)
	if errors.Is(err, fs.ErrNotExist) {
		return fromLayout(fsys, def)
	}
	if err != nil {
		return nil, err
	}
	doc, err := parseDocument(data, file)
	if err != nil {
		return nil, err
	}
	var layout string
	if doc.environments == nil {
		if doc.environments, layout, err = discover(fsys); err != nil {
			return nil, fmt.Errorf("%s has no environments: %w", file, err)
		}
	}
	c := doc.build(def)
	c.Layout = layout
	if len(c.Environments) == 0 && len(c.Sources) == 0 {
		return nil, &FieldError{File: file, Err: ErrNoEnvironments,
			Msg: "defines no environments and no sources, and no conventional layout (overlays/<env>, apps/<env>, clusters/<env>) has any; list them under environments:"}
	}
	return c, nil
}

// fromLayout builds the configuration of a tree without gitward.yaml.
func fromLayout(fsys fs.FS, def defaults) (*Config, error) {
	if _, err := fs.Stat(fsys, "gitward.yml"); err == nil {
		return nil, fmt.Errorf("%w: found gitward.yml; rename it to %s", ErrNoEnvironments, FileName)
	}
	envs, layout, err := discover(fsys)
	if err != nil {
		return nil, err
	}
	if len(envs) == 0 {
		return nil, fmt.Errorf("%w: no %s at the repository root and no conventional layout "+
			"(overlays/<env>, apps/<env> or clusters/<env> holding a kustomization.yaml); add %s",
			ErrNoEnvironments, FileName, FileName)
	}
	c := &Config{
		APIVersion:   APIVersion,
		Kind:         Kind,
		Environments: envs,
		Promotion:    Promotion{Images: true},
		Policies:     def.policies,
		Layout:       layout,
	}
	c.applySourceDefaults(true, def.branch)
	return c, nil
}

// readFile reads gitward.yaml from fsys, refusing symbolic links, folders
// and files over maxFileSize. file names it in errors.
func readFile(fsys fs.FS, file string) ([]byte, error) {
	var (
		fi  fs.FileInfo
		err error
	)
	if lfs, ok := fsys.(fs.ReadLinkFS); ok {
		fi, err = lfs.Lstat(FileName)
	} else {
		fi, err = fs.Stat(fsys, FileName)
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", file, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("read %s: %w: it is a symbolic link; gitward reads it only as a regular file", file, ErrSyntax)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("read %s: %w: it is not a regular file", file, ErrSyntax)
	case fi.Size() > maxFileSize:
		return nil, fmt.Errorf("read %s: %w: it is %d bytes; the limit is %d", file, ErrSyntax, fi.Size(), maxFileSize)
	}
	data, err := fs.ReadFile(fsys, FileName)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return data, nil
}

// currentBranch returns the branch checked out at repoRoot, or "" when it is
// not known (no .git, detached HEAD, unreadable).
func currentBranch(repoRoot string) string {
	gitDir := filepath.Join(repoRoot, ".git")
	if fi, err := os.Stat(gitDir); err == nil && !fi.IsDir() {
		// A worktree or submodule: .git is a file "gitdir: <path>".
		data, err := os.ReadFile(gitDir)
		if err != nil {
			return ""
		}
		dir, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir: ")
		if !ok {
			return ""
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(repoRoot, dir)
		}
		gitDir = dir
	}
	data, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	branch, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "ref: refs/heads/")
	if !ok {
		return ""
	}
	return branch
}
