package chartfetch_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/chartfetch"
	"github.com/gitward/gitward/pkg/chartfetch/charttest"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestOCIRegistry(t *testing.T) {
	reg := charttest.NewRegistry(t, "", "")
	reg.Push(t, "charts", podinfo(t, "6.13.0"))
	pinned := reg.Push(t, "charts", podinfo(t, "6.14.1"))
	reg.Push(t, "charts", podinfo(t, "6.15.0-rc.1+build.1"))
	base := "oci://" + reg.Host + "/charts"
	for _, tc := range []struct {
		name string
		ref  chartfetch.Ref
		want string
	}{
		{"HelmRepository type oci: repo + chart + exact", chartfetch.Ref{Repo: base, Chart: "podinfo", Version: "6.13.0"}, "6.13.0"},
		{"OCIRepository: url + semver", chartfetch.Ref{Repo: base + "/podinfo", Version: ">=6.0.0"}, "6.14.1"},
		{"latest stable", chartfetch.Ref{Repo: base, Chart: "podinfo"}, "6.14.1"},
		{"build metadata tag (+ as _)", chartfetch.Ref{Repo: base, Chart: "podinfo", Version: "6.15.0-rc.1+build.1"}, "6.15.0-rc.1+build.1"},
		{"digest", chartfetch.Ref{Repo: base, Chart: "podinfo", Version: pinned}, "6.14.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := (&chartfetch.Fetcher{CacheDir: t.TempDir()}).Fetch(t.Context(), tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			if c.Version != tc.want || c.Name != "podinfo" || !strings.HasPrefix(c.ManifestDigest, "sha256:") {
				t.Fatalf("got %+v, want version %s", c, tc.want)
			}
		})
	}
}

func TestOCIFetchesOnce(t *testing.T) {
	reg := charttest.NewRegistry(t, "", "")
	reg.Push(t, "charts", podinfo(t, "6.14.1"))
	cache := t.TempDir()
	ref := chartfetch.Ref{Repo: "oci://" + reg.Host + "/charts", Chart: "podinfo", Version: "6.14.1"}
	for range 3 {
		if _, err := (&chartfetch.Fetcher{CacheDir: cache}).Fetch(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
	}
	if n := reg.Blobs.Load(); n != 2 { // the config and the chart layer, once
		t.Fatalf("%d blob downloads, want 2", n)
	}
}

func TestOCIErrors(t *testing.T) {
	reg := charttest.NewRegistry(t, "", "")
	reg.Push(t, "charts", podinfo(t, "6.14.1"))
	base := "oci://" + reg.Host + "/charts"
	for _, tc := range []struct {
		name    string
		max     int64
		ref     chartfetch.Ref
		wantErr error
		wantMsg string
	}{
		{name: "layer over the bound", max: 100, ref: chartfetch.Ref{Repo: base, Chart: "podinfo", Version: "6.14.1"}, wantErr: chartfetch.ErrTooLarge},
		{name: "no such tag", ref: chartfetch.Ref{Repo: base, Chart: "podinfo", Version: "1.2.3"}, wantMsg: "manifest"},
		{name: "no version in range", ref: chartfetch.Ref{Repo: base, Chart: "podinfo", Version: "^7"}, wantErr: chartfetch.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &chartfetch.Fetcher{CacheDir: t.TempDir(), MaxArchiveBytes: tc.max}
			_, err := f.Fetch(t.Context(), tc.ref)
			if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.wantErr, tc.wantMsg)
			}
		})
	}
}

func TestOCICredentialFromMountedFile(t *testing.T) {
	reg := charttest.NewRegistry(t, "robot", "s3cret")
	reg.Push(t, "charts", podinfo(t, "6.14.1"), remote.WithAuth(&authn.Basic{Username: "robot", Password: "s3cret"}))
	ref := chartfetch.Ref{Repo: "oci://" + reg.Host + "/charts", Chart: "podinfo", Version: "6.14.1"}
	if _, err := (&chartfetch.Fetcher{CacheDir: t.TempDir()}).Fetch(t.Context(), ref); err == nil {
		t.Fatal("anonymous fetch from a registry that needs a credential succeeded")
	}
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &chartfetch.Fetcher{CacheDir: t.TempDir(), Credentials: []chartfetch.Credential{{Host: reg.Host, Files: gitrepo.AuthFiles{TokenFile: token, Username: "robot"}}}}
	if _, err := f.Fetch(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
}
