package chartfetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Defaults of the Fetcher's bounds.
const (
	DefaultTimeout         = 2 * time.Minute
	DefaultMaxArchiveBytes = 20 << 20 // a chart archive; the largest public charts are a few MiB
	DefaultMaxIndexBytes   = 64 << 20 // an index.yaml; large public indexes are tens of MiB
	DefaultResolveTTL      = 5 * time.Minute
)

// Sentinel errors; returned errors wrap them.
var (
	// ErrNotFound: the repository has no chart of that name and version.
	ErrNotFound = errors.New("chart not found")
	// ErrDigest: what was downloaded (or read from the cache) does not have
	// the digest the index, manifest or cache says.
	ErrDigest = errors.New("digest mismatch")
	// ErrTooLarge: an index, manifest or archive exceeds its size bound.
	ErrTooLarge = errors.New("too large")
)

// Chart is a fetched chart archive.
type Chart struct {
	// Ref is what was asked for.
	Ref Ref
	// Name and Version are the resolved chart name and exact version.
	Name, Version string
	// Digest is the sha256 of the archive, "sha256:<hex>".
	Digest string
	// ManifestDigest is the OCI manifest digest; empty for HTTP charts.
	ManifestDigest string
	// Path is the archive (.tgz) in the cache.
	Path string
}

// Fetcher fetches charts into a cache. The zero value is not usable: set
// CacheDir. A Fetcher is safe for concurrent use; concurrent fetches of the
// same chart download it once.
type Fetcher struct {
	// CacheDir holds the archives (sha256/<hex>.tgz) and the resolutions
	// of exact versions (refs/). Required.
	CacheDir string
	// Client makes the HTTP requests; nil means a client with the default
	// transport (proxy from the environment).
	Client *http.Client
	// Credentials are sent to their hosts only.
	Credentials []Credential
	// Timeout bounds one Fetch (resolution and download); 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxArchiveBytes bounds a chart archive; 0 means DefaultMaxArchiveBytes.
	MaxArchiveBytes int64
	// MaxIndexBytes bounds an index.yaml, an OCI manifest or tag list; 0
	// means DefaultMaxIndexBytes.
	MaxIndexBytes int64
	// ResolveTTL is how long a range's resolution to a version is reused;
	// 0 means DefaultResolveTTL, a negative value resolves every time.
	ResolveTTL time.Duration
	// Now is the clock for ResolveTTL; nil means time.Now.
	Now func() time.Time

	mu       sync.Mutex
	locks    map[string]*sync.Mutex
	resolved map[string]resolution
}

// resolution is a range resolved to an exact version at a time.
type resolution struct {
	version string
	at      time.Time
}

// Fetch returns the chart ref names, from the cache when it holds the
// exact version, otherwise downloaded, checked and cached.
func (f *Fetcher) Fetch(ctx context.Context, ref Ref) (*Chart, error) {
	if f.CacheDir == "" {
		return nil, errors.New("chartfetch: no cache folder")
	}
	if err := ref.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()

	unlock := f.lock(ref.Repo + "\x00" + ref.Chart)
	defer unlock()

	version, err := f.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	exact := Ref{Repo: ref.Repo, Chart: ref.Chart, Version: version}
	if c, ok, err := f.cached(exact); err != nil || ok {
		if c != nil {
			c.Ref = ref
		}
		return c, err
	}
	var c *Chart
	if ref.IsOCI() {
		c, err = f.fetchOCI(ctx, exact)
	} else {
		c, err = f.fetchHTTP(ctx, exact)
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("chart %s: not fetched within %s: %w", ref, f.timeout(), err)
		}
		return nil, err
	}
	if err := f.remember(exact, c); err != nil {
		return nil, err
	}
	c.Ref = ref
	return c, nil
}

// resolve turns ref.Version into an exact version (or, for OCI, a tag or
// digest), using a recent resolution when there is one.
func (f *Fetcher) resolve(ctx context.Context, ref Ref) (string, error) {
	if exactVersion(ref.Version) || isDigest(ref.Version) {
		return ref.Version, nil
	}
	key := ref.String()
	now := f.now()
	f.mu.Lock()
	r, ok := f.resolved[key]
	f.mu.Unlock()
	if ok && f.resolveTTL() > 0 && now.Sub(r.at) < f.resolveTTL() {
		return r.version, nil
	}
	var versions []string
	var err error
	if ref.IsOCI() {
		versions, err = f.ociTags(ctx, ref)
	} else {
		versions, err = f.indexVersions(ctx, ref)
	}
	if err != nil {
		return "", err
	}
	v, found, err := pick(versions, ref.Version)
	if err != nil {
		return "", fmt.Errorf("chart %s: %w", ref, err)
	}
	if !found {
		want := ref.Version
		if want == "" {
			want = "a version that is not a pre-release"
		}
		return "", fmt.Errorf("chart %s: the repository has %d versions, none is %s: %w", ref, len(versions), want, ErrNotFound)
	}
	f.mu.Lock()
	if f.resolved == nil {
		f.resolved = map[string]resolution{}
	}
	f.resolved[key] = resolution{version: v, at: now}
	f.mu.Unlock()
	return v, nil
}

// lock serialises fetches of one chart, so that it is downloaded once.
func (f *Fetcher) lock(key string) func() {
	f.mu.Lock()
	if f.locks == nil {
		f.locks = map[string]*sync.Mutex{}
	}
	m, ok := f.locks[key]
	if !ok {
		m = &sync.Mutex{}
		f.locks[key] = m
	}
	f.mu.Unlock()
	m.Lock()
	return m.Unlock
}

func (f *Fetcher) client() *http.Client {
	if f.Client != nil {
		return f.Client
	}
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

func (f *Fetcher) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return DefaultTimeout
}

func (f *Fetcher) maxArchive() int64 {
	if f.MaxArchiveBytes > 0 {
		return f.MaxArchiveBytes
	}
	return DefaultMaxArchiveBytes
}

func (f *Fetcher) maxIndex() int64 {
	if f.MaxIndexBytes > 0 {
		return f.MaxIndexBytes
	}
	return DefaultMaxIndexBytes
}

func (f *Fetcher) resolveTTL() time.Duration {
	if f.ResolveTTL == 0 {
		return DefaultResolveTTL
	}
	return f.ResolveTTL
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}
