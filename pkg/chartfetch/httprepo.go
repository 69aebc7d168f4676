package chartfetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/Masterminds/semver/v3"
	"sigs.k8s.io/yaml"
)

// indexFile is the part of a Helm repository's index.yaml a fetch reads.
type indexFile struct {
	APIVersion string                  `json:"apiVersion"`
	Entries    map[string][]indexEntry `json:"entries"`
}

// indexEntry is one chart version of an index.
type indexEntry struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	URLs    []string `json:"urls"`
	// Digest is the sha256 (hex) of the archive, as `helm repo index` writes it.
	Digest string `json:"digest"`
}

// indexURL is the index.yaml of an HTTP repository.
func indexURL(repo string) string { return strings.TrimSuffix(repo, "/") + "/index.yaml" }

// loadIndex downloads and parses the repository's index.
func (f *Fetcher) loadIndex(ctx context.Context, ref Ref) (*indexFile, error) {
	u := indexURL(ref.Repo)
	b, err := f.get(ctx, u, f.maxIndex())
	if err != nil {
		return nil, fmt.Errorf("chart %s: index %s: %w", ref, u, err)
	}
	var idx indexFile
	if err := yaml.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("chart %s: index %s is not a Helm repository index: %w", ref, u, err)
	}
	if idx.Entries == nil {
		return nil, fmt.Errorf("chart %s: index %s has no entries (is %s a Helm repository?)", ref, u, ref.Repo)
	}
	return &idx, nil
}

// indexVersions lists the versions the index has of ref's chart.
func (f *Fetcher) indexVersions(ctx context.Context, ref Ref) ([]string, error) {
	idx, err := f.loadIndex(ctx, ref)
	if err != nil {
		return nil, err
	}
	entries, ok := idx.Entries[ref.Chart]
	if !ok {
		return nil, fmt.Errorf("chart %s: index %s has no chart %q: %w", ref, indexURL(ref.Repo), ref.Chart, ErrNotFound)
	}
	vs := make([]string, 0, len(entries))
	for _, e := range entries {
		vs = append(vs, e.Version)
	}
	return vs, nil
}

// fetchHTTP downloads the archive of an exact version named by the index
// and checks it against the index's digest.
func (f *Fetcher) fetchHTTP(ctx context.Context, ref Ref) (*Chart, error) {
	idx, err := f.loadIndex(ctx, ref)
	if err != nil {
		return nil, err
	}
	if _, ok := idx.Entries[ref.Chart]; !ok {
		return nil, fmt.Errorf("chart %s: index %s has no chart %q: %w", ref, indexURL(ref.Repo), ref.Chart, ErrNotFound)
	}
	want, _ := semver.NewVersion(ref.Version)
	var entry *indexEntry
	for i, e := range idx.Entries[ref.Chart] {
		if v, err := semver.NewVersion(e.Version); err == nil && want != nil && v.Equal(want) {
			entry = &idx.Entries[ref.Chart][i]
			break
		}
	}
	if entry == nil {
		return nil, fmt.Errorf("chart %s: index %s has no version %s of %q: %w", ref, indexURL(ref.Repo), ref.Version, ref.Chart, ErrNotFound)
	}
	if len(entry.URLs) == 0 {
		return nil, fmt.Errorf("chart %s: index entry %s-%s has no urls", ref, ref.Chart, entry.Version)
	}
	archiveURL, err := resolveURL(indexURL(ref.Repo), entry.URLs[0])
	if err != nil {
		return nil, fmt.Errorf("chart %s: index entry %s-%s: %w", ref, ref.Chart, entry.Version, err)
	}
	data, err := f.get(ctx, archiveURL, f.maxArchive())
	if err != nil {
		return nil, fmt.Errorf("chart %s: archive %s: %w", ref, archiveURL, err)
	}
	if entry.Digest != "" {
		got := digestOf(data)
		if want := "sha256:" + strings.ToLower(entry.Digest); got != want {
			return nil, fmt.Errorf("chart %s: archive %s has %s, the index says %s: %w", ref, archiveURL, got, want, ErrDigest)
		}
	}
	digest, p, err := f.store(data)
	if err != nil {
		return nil, err
	}
	return &Chart{Name: ref.Chart, Version: entry.Version, Digest: digest, Path: p}, nil
}

// resolveURL resolves an index entry's URL against the index's URL.
func resolveURL(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("url %q: %w", ref, err)
	}
	u := b.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("url %q: only http(s) archives are fetched", ref)
	}
	return u.String(), nil
}

// get downloads u, reading at most max bytes, with the credential of u's
// host if one is configured.
func (f *Fetcher) get(ctx context.Context, u string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	user, pass, ok, err := basic(f.Credentials, req.URL.Host)
	if err != nil {
		return nil, err
	}
	if ok {
		req.SetBasicAuth(user, pass)
	}
	c := *f.client()
	// A redirect to another host must not carry the credential: Go's client
	// drops Authorization on a cross-host redirect, and the check below
	// keeps a redirect from leaving http(s).
	c.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return fmt.Errorf("stopped after 10 redirects")
		}
		if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
			return fmt.Errorf("redirect to %s: only http(s)", r.URL)
		}
		return nil
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			hint = fmt.Sprintf("; configure a credential for host %s", req.URL.Host)
		}
		return nil, fmt.Errorf("GET %s: %s%s", u, resp.Status, hint)
	}
	if resp.ContentLength > max {
		return nil, fmt.Errorf("GET %s: %d bytes, more than the %d allowed: %w", u, resp.ContentLength, max, ErrTooLarge)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("GET %s: more than the %d bytes allowed: %w", u, max, ErrTooLarge)
	}
	return b, nil
}
