package render

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
)

// scanner walks the kustomizations reachable from the one being rendered,
// before kustomize runs, and refuses references that are remote (kustomize
// would fetch them with HTTP or `git`) or that leave the root. Anything it
// cannot parse is left for kustomize to report.
type scanner struct {
	res         *resolver
	allowRemote bool
	visited     map[string]bool
	// parsed holds the kustomizations read, by folder.
	parsed map[string]parsedKust
}

// parsedKust is a kustomization and the (unresolved) path of its file.
type parsedKust struct {
	k    *types.Kustomization
	file string
}

// kustFile finds the kustomization file in dir (a resolved slash path)
// and counts the candidates; file is "" unless there is exactly one
// (kustomize reports the other cases). A candidate that is a symlink
// leaving the root is an error.
func (s *scanner) kustFile(dir string) (file string, n int, err error) {
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		_, info, err := s.res.resolve(path.Join(dir, name))
		if isEscape(err) {
			return "", 0, err
		}
		if err == nil && !info.IsDir() {
			file, n = path.Join(dir, name), n+1
		}
	}
	if n != 1 {
		return "", n, nil
	}
	return file, n, nil
}

// load parses the kustomization in dir; ok is false when there is none.
func (s *scanner) load(dir string) (k *types.Kustomization, file string, ok bool) {
	file, _, _ = s.kustFile(dir)
	if file == "" {
		return nil, "", false
	}
	data, err := s.readResolved(file)
	if err != nil {
		return nil, file, false
	}
	k = &types.Kustomization{}
	if err := k.Unmarshal(data); err != nil {
		return nil, file, false
	}
	k.FixKustomization()
	s.parsed[dir] = parsedKust{k: k, file: file}
	return k, file, true
}

func (s *scanner) readResolved(name string) ([]byte, error) {
	p, _, err := s.res.resolve(name)
	if err != nil {
		return nil, err
	}
	return fs.ReadFile(s.res.fsys, p)
}

// kustomization checks the kustomization in dir and, recursively, the
// folders it refers to. plugin marks folders whose resources are
// generator/transformer configurations.
func (s *scanner) kustomization(dir string, plugin bool) error {
	if s.visited[dir] {
		return nil
	}
	s.visited[dir] = true
	k, file, ok := s.load(dir)
	if !ok {
		return nil
	}
	c := refChecker{s: s, dir: dir, file: file}
	for _, r := range k.Resources {
		if err := c.entry("resources", r, plugin); err != nil {
			return err
		}
	}
	for _, r := range k.Components {
		if err := c.entry("components", r, false); err != nil {
			return err
		}
	}
	for _, l := range []namedRefs{
		{"generators", k.Generators}, {"transformers", k.Transformers}, {"validators", k.Validators},
	} {
		for _, r := range l.refs {
			if err := c.entry(l.field, r, true); err != nil {
				return err
			}
		}
	}
	return c.files(k)
}

// files checks the kustomization fields that name single files.
func (c refChecker) files(k *types.Kustomization) error {
	refs := []namedRefs{
		{"crds", k.Crds},
		{"configurations", k.Configurations},
		{"openapi.path", []string{k.OpenAPI["path"]}},
	}
	var sm, patches, repl []string
	//lint:ignore SA1019 deprecated fields still load files, so they are scanned too
	for _, p := range k.PatchesStrategicMerge {
		if !strings.Contains(string(p), "\n") {
			sm = append(sm, string(p))
		}
	}
	//lint:ignore SA1019 deprecated fields still load files, so they are scanned too
	for _, p := range append(append([]types.Patch(nil), k.Patches...), k.PatchesJson6902...) {
		patches = append(patches, p.Path)
	}
	for _, r := range k.Replacements {
		repl = append(repl, r.Path)
	}
	refs = append(refs, namedRefs{"patchesStrategicMerge", sm}, namedRefs{"patches.path", patches},
		namedRefs{"replacements.path", repl})
	var gens []types.GeneratorArgs
	for _, g := range k.ConfigMapGenerator {
		gens = append(gens, g.GeneratorArgs)
	}
	for _, g := range k.SecretGenerator {
		gens = append(gens, g.GeneratorArgs)
	}
	for _, g := range gens {
		refs = append(refs, namedRefs{"files", g.FileSources},
			namedRefs{"envs", append(append([]string(nil), g.EnvSources...), g.EnvSource)})
	}
	for _, h := range k.HelmCharts {
		refs = append(refs, namedRefs{"helmCharts.valuesFile", append([]string{h.ValuesFile}, h.AdditionalValuesFiles...)})
	}
	for _, l := range refs {
		for _, r := range l.refs {
			if r == "" {
				continue
			}
			if l.field == "files" && !isRemote(r) {
				r = fileSourcePath(r)
			}
			if _, err := c.local(l.field, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// namedRefs is a kustomization field and the references it holds.
type namedRefs struct {
	field string
	refs  []string
}

// fileSourcePath drops the optional "key=" of a generator file source.
func fileSourcePath(src string) string {
	if _, p, ok := strings.Cut(src, "="); ok {
		return p
	}
	return src
}

// refChecker checks the references made by one kustomization file.
type refChecker struct {
	s    *scanner
	dir  string // folder of the kustomization, resolved slash path
	file string // the kustomization file, for messages
}

// local returns the slash path a local reference names, or an error when
// the reference is remote (and not allowed) or leaves the root. A remote
// reference that is allowed returns "".
func (c refChecker) local(field, ref string) (string, error) {
	if isRemote(ref) {
		if c.s.allowRemote {
			return "", nil
		}
		return "", fmt.Errorf("%s: %s entry %q is a remote reference; render from a local path instead: %w",
			c.file, field, ref, ErrRemoteBase)
	}
	p := filepath.ToSlash(ref)
	if path.IsAbs(p) {
		inside, ok := c.s.res.insideAbs(p)
		if !ok {
			return "", fmt.Errorf("%s: %s entry %q is an absolute path outside the repository: %w",
				c.file, field, ref, ErrEscapesRoot)
		}
		return inside, nil
	}
	p = path.Join(c.dir, p)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("%s: %s entry %q leaves the repository root: %w", c.file, field, ref, ErrEscapesRoot)
	}
	return p, nil
}

// entry checks a resources/components/generators/... entry: a file, a
// folder holding a kustomization, or (for plugin lists) inline YAML.
func (c refChecker) entry(field, ref string, plugin bool) error {
	if plugin && strings.Contains(ref, "\n") {
		return c.pluginConfig(field, []byte(ref))
	}
	p, err := c.local(field, ref)
	if err != nil || p == "" {
		return err
	}
	resolved, info, err := c.s.res.resolve(p)
	if err != nil {
		if isEscape(err) {
			return fmt.Errorf("%s: %s entry %q: %w", c.file, field, ref, err)
		}
		return nil // missing: kustomize reports it
	}
	if info.IsDir() {
		return c.s.kustomization(resolved, plugin)
	}
	if !plugin {
		return nil
	}
	data, err := fs.ReadFile(c.s.res.fsys, resolved)
	if err != nil {
		return nil
	}
	return c.pluginConfig(field, data)
}
