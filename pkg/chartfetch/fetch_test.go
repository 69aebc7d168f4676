package chartfetch_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitward/gitward/pkg/chartfetch"
	"github.com/gitward/gitward/pkg/chartfetch/charttest"
	"github.com/gitward/gitward/pkg/gitrepo"
)

const podinfoDir = "../../testdata/upstream/podinfo-chart/podinfo"

func podinfo(t *testing.T, version string) charttest.Archive {
	return charttest.Package(t, podinfoDir, "podinfo", version)
}

func TestHTTPRepoResolvesVersions(t *testing.T) {
	repo := charttest.NewHTTPRepo(t, "", "", podinfo(t, "6.13.0"), podinfo(t, "6.14.1"), podinfo(t, "6.15.0-rc.1"))
	for _, tc := range []struct{ name, version, want string }{
		{"exact", "6.13.0", "6.13.0"},
		{"latest stable", "", "6.14.1"},
		{"range without pre-releases (flux example, production)", ">=1.0.0", "6.14.1"},
		{"range with pre-releases (flux example, staging)", ">=1.0.0-alpha", "6.15.0-rc.1"},
		{"x range", "6.13.x", "6.13.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &chartfetch.Fetcher{CacheDir: t.TempDir()}
			c, err := f.Fetch(t.Context(), chartfetch.Ref{Repo: repo.URL, Chart: "podinfo", Version: tc.version})
			if err != nil {
				t.Fatal(err)
			}
			if c.Version != tc.want || c.Name != "podinfo" {
				t.Fatalf("got %s %s, want podinfo %s", c.Name, c.Version, tc.want)
			}
			b, err := os.ReadFile(c.Path)
			if err != nil || !strings.HasPrefix(c.Digest, "sha256:") || len(b) == 0 {
				t.Fatalf("archive %s (%v), digest %s", c.Path, err, c.Digest)
			}
		})
	}
}

func TestHTTPRepoFetchesOnce(t *testing.T) {
	repo := charttest.NewHTTPRepo(t, "", "", podinfo(t, "6.14.1"))
	cache := t.TempDir()
	ref := chartfetch.Ref{Repo: repo.URL, Chart: "podinfo", Version: "6.14.1"}
	first, err := (&chartfetch.Fetcher{CacheDir: cache}).Fetch(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	// A second process (a new Fetcher on the same cache) asks no one.
	second, err := (&chartfetch.Fetcher{CacheDir: cache}).Fetch(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if first.Digest != second.Digest || repo.Archives.Load() != 1 || repo.Indexes.Load() != 1 {
		t.Fatalf("digests %s %s, %d archive and %d index downloads, want 1 and 1", first.Digest, second.Digest, repo.Archives.Load(), repo.Indexes.Load())
	}
	// A damaged cache entry is not used: the chart is fetched again.
	if err := os.WriteFile(second.Path, []byte("not a chart"), 0o644); err != nil {
		t.Fatal(err)
	}
	third, err := (&chartfetch.Fetcher{CacheDir: cache}).Fetch(t.Context(), ref)
	if err != nil || third.Digest != first.Digest || repo.Archives.Load() != 2 {
		t.Fatalf("after damage: %v, digest %s, %d downloads", err, third.Digest, repo.Archives.Load())
	}
}

func TestHTTPRepoRangeResolvedOncePerTTL(t *testing.T) {
	repo := charttest.NewHTTPRepo(t, "", "", podinfo(t, "6.14.1"))
	now := time.Unix(1000, 0)
	f := &chartfetch.Fetcher{CacheDir: t.TempDir(), Now: func() time.Time { return now }}
	ref := chartfetch.Ref{Repo: repo.URL, Chart: "podinfo", Version: ">=1.0.0"}
	for range 3 {
		if _, err := f.Fetch(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
	}
	if repo.Indexes.Load() != 2 { // one to resolve, one to find the archive's URL
		t.Fatalf("%d index downloads, want 2", repo.Indexes.Load())
	}
	repo.Add(podinfo(t, "6.16.0"))
	now = now.Add(chartfetch.DefaultResolveTTL + time.Second)
	c, err := f.Fetch(t.Context(), ref)
	if err != nil || c.Version != "6.16.0" {
		t.Fatalf("after the TTL: %v %v, want 6.16.0", c, err)
	}
}

func TestHTTPRepoErrors(t *testing.T) {
	good := podinfo(t, "6.14.1")
	for _, tc := range []struct {
		name    string
		setup   func(*charttest.HTTPRepo, *chartfetch.Fetcher)
		ref     chartfetch.Ref
		wantErr error
		wantMsg string
	}{
		{name: "tampered archive", setup: func(r *charttest.HTTPRepo, _ *chartfetch.Fetcher) {
			r.Tamper = func(b []byte) []byte { b[len(b)-1] ^= 1; return b }
		}, ref: chartfetch.Ref{Chart: "podinfo", Version: "6.14.1"}, wantErr: chartfetch.ErrDigest, wantMsg: "the index says"},
		{name: "archive over the bound", setup: func(_ *charttest.HTTPRepo, f *chartfetch.Fetcher) {
			f.MaxArchiveBytes = 1000
		}, ref: chartfetch.Ref{Chart: "podinfo", Version: "6.14.1"}, wantErr: chartfetch.ErrTooLarge},
		{name: "index over the bound", setup: func(_ *charttest.HTTPRepo, f *chartfetch.Fetcher) {
			f.MaxIndexBytes = 10
		}, ref: chartfetch.Ref{Chart: "podinfo", Version: ">=1"}, wantErr: chartfetch.ErrTooLarge},
		{name: "unknown version", ref: chartfetch.Ref{Chart: "podinfo", Version: "9.9.9"}, wantErr: chartfetch.ErrNotFound, wantMsg: "no version 9.9.9"},
		{name: "no version in range", ref: chartfetch.Ref{Chart: "podinfo", Version: ">=7"}, wantErr: chartfetch.ErrNotFound, wantMsg: "none is >=7"},
		{name: "unknown chart", ref: chartfetch.Ref{Chart: "nginx", Version: "1.0.0"}, wantErr: chartfetch.ErrNotFound, wantMsg: `no chart "nginx"`},
		{name: "bad range", ref: chartfetch.Ref{Chart: "podinfo", Version: ">=one"}, wantMsg: "neither a version nor a semver range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := charttest.NewHTTPRepo(t, "", "", good)
			f := &chartfetch.Fetcher{CacheDir: t.TempDir()}
			if tc.setup != nil {
				tc.setup(repo, f)
			}
			tc.ref.Repo = repo.URL
			_, err := f.Fetch(t.Context(), tc.ref)
			if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.wantErr, tc.wantMsg)
			}
		})
	}
}

func TestHTTPRepoCredentialFromMountedFile(t *testing.T) {
	repo := charttest.NewHTTPRepo(t, "robot", "s3cret", podinfo(t, "6.14.1"))
	ref := chartfetch.Ref{Repo: repo.URL, Chart: "podinfo", Version: "6.14.1"}
	_, err := (&chartfetch.Fetcher{CacheDir: t.TempDir()}).Fetch(t.Context(), ref)
	if err == nil || !strings.Contains(err.Error(), "configure a credential for host "+repo.Host()) {
		t.Fatalf("anonymous: %v", err)
	}
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	creds := []chartfetch.Credential{{Host: repo.Host(), Files: gitrepo.AuthFiles{TokenFile: token, Username: "robot"}}}
	if _, err := (&chartfetch.Fetcher{CacheDir: t.TempDir(), Credentials: creds}).Fetch(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	// The credential goes to its host only.
	other := []chartfetch.Credential{{Host: "charts.example.com", Files: gitrepo.AuthFiles{TokenFile: token, Username: "robot"}}}
	if _, err := (&chartfetch.Fetcher{CacheDir: t.TempDir(), Credentials: other}).Fetch(t.Context(), ref); err == nil {
		t.Fatal("a credential for another host was sent")
	}
}

func TestFetchIsBoundedInTime(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(hang.Close)
	f := &chartfetch.Fetcher{CacheDir: t.TempDir(), Timeout: 200 * time.Millisecond}
	start := time.Now()
	_, err := f.Fetch(context.Background(), chartfetch.Ref{Repo: hang.URL, Chart: "podinfo", Version: "1.0.0"})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %s", err, time.Since(start))
	}
	if !strings.Contains(err.Error(), "not fetched within 200ms") {
		t.Fatalf("err = %v, want it to name the bound", err)
	}
}

func TestRefValidation(t *testing.T) {
	for _, ref := range []chartfetch.Ref{
		{Chart: "x"},
		{Repo: "file:///etc", Chart: "x"},
		{Repo: "https://charts.example.com"},
		{Repo: "oci://"},
	} {
		if _, err := (&chartfetch.Fetcher{CacheDir: t.TempDir()}).Fetch(t.Context(), ref); err == nil {
			t.Errorf("%+v: no error", ref)
		}
	}
}
