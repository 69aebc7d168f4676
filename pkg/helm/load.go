package helm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/ignore"
)

// Chart is a chart folder inside a file system: a repository tree at one
// commit (render's TreeFS) or a folder on disk (os.Root's FS). Only files
// below Dir are read; a symlink is followed only when its target stays
// below Dir.
type Chart struct {
	FS  fs.FS
	Dir string // slash path of the chart folder in FS ("." for the root)
}

var utf8bom = []byte{0xEF, 0xBB, 0xBF}

// Load reads the chart folder c as `helm template <dir>` does
// (loader.LoadDir): .helmignore and Helm's default ignores apply, a UTF-8
// BOM is dropped, irregular files are refused; within lim.
func Load(c Chart, lim Limits) (*chart.Chart, error) {
	lim = lim.withDefaults()
	dir := path.Clean(c.Dir)
	rules := ignore.Empty()
	if data, err := fs.ReadFile(c.FS, path.Join(dir, ignore.HelmIgnore)); err == nil {
		if rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("chart %s: %s: %w", dir, ignore.HelmIgnore, err)
		}
	}
	rules.AddDefaults()
	var files []*loader.BufferedFile
	var total int64
	err := fs.WalkDir(c.FS, dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := strings.TrimPrefix(strings.TrimPrefix(name, dir), "/")
		if dir == "." {
			n = name
		}
		if n == "" || n == "." {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			target, terr := linkTarget(c.FS, dir, name)
			if terr != nil {
				return terr
			}
			if info, err = fs.Stat(c.FS, target); err != nil {
				return err
			}
			if info.IsDir() {
				return fmt.Errorf("%s: a symlink to a folder; gitward does not follow those in charts", n)
			}
			name = target
		}
		if d.IsDir() {
			if rules.Ignore(n, info) {
				return fs.SkipDir
			}
			return nil
		}
		if rules.Ignore(n, info) {
			return nil
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("cannot load irregular file %s as it has file mode type bits set", n)
		}
		if len(files) >= lim.Files && lim.Files >= 0 {
			return fmt.Errorf("more than %d files: %w", lim.Files, ErrTooLarge)
		}
		if over(info.Size(), lim.FileBytes) {
			return fmt.Errorf("%s: %d bytes, more than %d: %w", n, info.Size(), lim.FileBytes, ErrTooLarge)
		}
		if total += info.Size(); over(total, lim.ChartBytes) {
			return fmt.Errorf("more than %d bytes in all: %w", lim.ChartBytes, ErrTooLarge)
		}
		data, err := fs.ReadFile(c.FS, name)
		if err != nil {
			return fmt.Errorf("error reading %s: %w", n, err)
		}
		files = append(files, &loader.BufferedFile{Name: n, Data: bytes.TrimPrefix(data, utf8bom)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", dir, err)
	}
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", dir, err)
	}
	return ch, nil
}

// linkTarget resolves the symlink name (inside the chart folder dir) and
// refuses a target outside dir. The file system must implement
// fs.ReadLinkFS; the chain is followed at most 40 links deep.
func linkTarget(fsys fs.FS, dir, name string) (string, error) {
	for range 40 {
		target, err := fs.ReadLink(fsys, name)
		if err != nil {
			return "", fmt.Errorf("%s: symlink: %w", name, err)
		}
		if path.IsAbs(target) {
			return "", fmt.Errorf("%s → %s: %w", name, target, ErrEscapes)
		}
		next := path.Join(path.Dir(name), target)
		if dir != "." && next != dir && !strings.HasPrefix(next, dir+"/") ||
			dir == "." && (next == ".." || strings.HasPrefix(next, "../")) {
			return "", fmt.Errorf("%s → %s: %w", name, target, ErrEscapes)
		}
		info, err := fs.Lstat(fsys, next)
		if err != nil {
			return "", fmt.Errorf("%s → %s: %w", name, target, err)
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			return next, nil
		}
		name = next
	}
	return "", fmt.Errorf("%s: too many levels of symlinks", name)
}

// LoadArchive reads a chart archive (.tgz) as `helm template x.tgz` does
// (loader.LoadArchive), after checking it against lim: its compressed
// size, number of entries and decompressed size are bounded before Helm
// sees it, so a bomb fails fast with ErrTooLarge.
func LoadArchive(r io.Reader, lim Limits) (*chart.Chart, error) {
	lim = lim.withDefaults()
	src := r
	if lim.ArchiveBytes >= 0 {
		src = io.LimitReader(r, lim.ArchiveBytes+1)
	}
	buf, err := io.ReadAll(src)
	if err != nil {
		return nil, fmt.Errorf("chart archive: %w", err)
	}
	if over(int64(len(buf)), lim.ArchiveBytes) {
		return nil, fmt.Errorf("chart archive: more than %d bytes: %w", lim.ArchiveBytes, ErrTooLarge)
	}
	if err := checkArchive(buf, lim); err != nil {
		return nil, fmt.Errorf("chart archive: %w", err)
	}
	ch, err := loader.LoadArchive(bytes.NewReader(buf))
	if err != nil {
		return nil, fmt.Errorf("chart archive: %w", err)
	}
	return ch, nil
}

// checkArchive walks the archive's entries without keeping them, counting
// files and decompressed bytes.
func checkArchive(buf []byte, lim Limits) error {
	zr, err := gzip.NewReader(bytes.NewReader(buf))
	if err != nil {
		return err
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	var files int
	var total int64
	for {
		hd, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if hd.Typeflag != tar.TypeReg {
			continue
		}
		if files++; files > lim.Files && lim.Files >= 0 {
			return fmt.Errorf("more than %d files: %w", lim.Files, ErrTooLarge)
		}
		if over(hd.Size, lim.FileBytes) {
			return fmt.Errorf("%s: %d bytes, more than %d: %w", hd.Name, hd.Size, lim.FileBytes, ErrTooLarge)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(tr, hd.Size+1))
		if err != nil {
			return err
		}
		if total += n; over(total, lim.ChartBytes) {
			return fmt.Errorf("more than %d bytes decompressed: %w", lim.ChartBytes, ErrTooLarge)
		}
	}
}
