package chartfetch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// refRecord is what the cache keeps for an exact (repo, chart, version).
type refRecord struct {
	Repo           string `json:"repo"`
	Chart          string `json:"chart"`
	Version        string `json:"version"`
	Name           string `json:"name"`
	ResolvedTo     string `json:"resolvedVersion"`
	Digest         string `json:"digest"`
	ManifestDigest string `json:"manifestDigest,omitempty"`
}

// refPath is the record file of an exact ref.
func (f *Fetcher) refPath(ref Ref) string {
	sum := sha256.Sum256([]byte(ref.Repo + "\x00" + ref.Chart + "\x00" + ref.Version))
	return filepath.Join(f.CacheDir, "refs", hex.EncodeToString(sum[:])+".json")
}

// blobPath is where an archive of digest "sha256:<hex>" is kept.
func (f *Fetcher) blobPath(digest string) (string, error) {
	hexsum, ok := strings.CutPrefix(digest, "sha256:")
	if !ok || len(hexsum) != 64 {
		return "", fmt.Errorf("digest %q is not sha256:<64 hex>", digest)
	}
	if _, err := hex.DecodeString(hexsum); err != nil {
		return "", fmt.Errorf("digest %q is not sha256:<64 hex>", digest)
	}
	return filepath.Join(f.CacheDir, "sha256", hexsum+".tgz"), nil
}

// cached returns the chart of an exact ref from the cache, checking the
// archive against its digest; a record whose archive is gone or damaged
// is dropped (ok false, so the chart is fetched again).
func (f *Fetcher) cached(ref Ref) (*Chart, bool, error) {
	b, err := os.ReadFile(f.refPath(ref))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("chart cache: %w", err)
	}
	var rec refRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.Repo != ref.Repo || rec.Chart != ref.Chart || rec.Version != ref.Version {
		_ = os.Remove(f.refPath(ref))
		return nil, false, nil
	}
	p, err := f.blobPath(rec.Digest)
	if err != nil {
		_ = os.Remove(f.refPath(ref))
		return nil, false, nil
	}
	data, err := os.ReadFile(p)
	if err != nil || digestOf(data) != rec.Digest {
		_ = os.Remove(p)
		_ = os.Remove(f.refPath(ref))
		return nil, false, nil
	}
	return &Chart{Name: rec.Name, Version: rec.ResolvedTo, Digest: rec.Digest, ManifestDigest: rec.ManifestDigest, Path: p}, true, nil
}

// store writes an archive under its digest and returns its path.
func (f *Fetcher) store(data []byte) (digest, path string, err error) {
	digest = digestOf(data)
	path, err = f.blobPath(digest)
	if err != nil {
		return "", "", err
	}
	if err := writeAtomic(path, data); err != nil {
		return "", "", fmt.Errorf("chart cache: %w", err)
	}
	return digest, path, nil
}

// remember records the exact ref's chart.
func (f *Fetcher) remember(ref Ref, c *Chart) error {
	rec := refRecord{Repo: ref.Repo, Chart: ref.Chart, Version: ref.Version, Name: c.Name, ResolvedTo: c.Version,
		Digest: c.Digest, ManifestDigest: c.ManifestDigest}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := writeAtomic(f.refPath(ref), b); err != nil {
		return fmt.Errorf("chart cache: %w", err)
	}
	return nil
}

// writeAtomic writes data to path through a temporary file and a rename,
// so a reader never sees half a file.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func isDigest(s string) bool {
	h, ok := strings.CutPrefix(s, "sha256:")
	return ok && len(h) == 64
}
