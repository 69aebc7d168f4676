package ociimage

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

const testRef = "ghcr.io/gitward/gitward:v0.0.0-test"

// fakeSpec makes a two-platform spec whose "binaries" are small files.
func fakeSpec(t *testing.T) Spec {
	t.Helper()
	dir := t.TempDir()
	s := Spec{Ref: testRef, CARoots: FallbackRoots(), Labels: map[string]string{"a": "b"}}
	for _, arch := range []string{"amd64", "arm64"} {
		p := Platform{OS: "linux", Arch: arch}
		for _, n := range []string{"gitward-agent", "gitward-webhook"} {
			f := filepath.Join(dir, arch+"-"+n)
			if err := os.WriteFile(f, []byte("#!binary "+n+" "+arch), 0o755); err != nil {
				t.Fatal(err)
			}
			p.Binaries = append(p.Binaries, Binary{Name: n, File: f})
		}
		s.Platforms = append(s.Platforms, p)
	}
	return s
}

func TestWriteIsReproducible(t *testing.T) {
	s := fakeSpec(t)
	a, err := Write(t.TempDir(), "gitward", s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Write(t.TempDir(), "gitward", s)
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest != b.Digest {
		t.Fatalf("two builds of the same binaries: digests %s and %s", a.Digest, b.Digest)
	}
	ta, _ := os.ReadFile(a.Archive)
	tb, _ := os.ReadFile(b.Archive)
	if !bytes.Equal(ta, tb) {
		t.Fatal("two builds of the same binaries: the archives differ")
	}
	d, _ := os.ReadFile(filepath.Join(filepath.Dir(a.Archive), "gitward.digest"))
	if string(d) != a.Digest.String()+"\n" {
		t.Fatalf("gitward.digest = %q, want %s", d, a.Digest)
	}
}

func TestImageContents(t *testing.T) {
	out, err := Write(t.TempDir(), "gitward", fakeSpec(t))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := layout.ImageIndexFromPath(out.Layout)
	if err != nil {
		t.Fatal(err)
	}
	top, _ := idx.IndexManifest()
	if len(top.Manifests) != 1 || top.Manifests[0].Annotations[AnnotationRefName] != testRef ||
		top.Manifests[0].Annotations[AnnotationContainerdName] != testRef {
		t.Fatalf("index.json should name the one index %s: %+v", testRef, top.Manifests)
	}
	if top.Manifests[0].Digest != out.Digest {
		t.Fatalf("index.json points at %s, the digest written is %s", top.Manifests[0].Digest, out.Digest)
	}
	inner, err := idx.ImageIndex(out.Digest)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := inner.IndexManifest()
	var archs []string
	for _, d := range m.Manifests {
		archs = append(archs, d.Platform.OS+"/"+d.Platform.Architecture)
		img, err := inner.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cf, _ := img.ConfigFile()
		if cf.Config.User != "65532:65532" || !cf.Created.Time.Equal(epoch) || cf.Architecture != d.Platform.Architecture {
			t.Errorf("%s: user %q created %v arch %q", d.Platform.Architecture, cf.Config.User, cf.Created, cf.Architecture)
		}
		files := layerFiles(t, img)
		for name, want := range map[string]string{
			"etc/passwd":                    "nonroot:x:65532:65532:",
			"usr/local/bin/gitward-agent":   "gitward-agent " + d.Platform.Architecture,
			"usr/local/bin/gitward-webhook": "gitward-webhook",
		} {
			if !strings.Contains(files[name].body, want) {
				t.Errorf("%s: %s = %q, want it to hold %q", d.Platform.Architecture, name, files[name].body, want)
			}
		}
		if h := files["tmp/"].hdr; h == nil || h.Mode != 0o1777 {
			t.Errorf("/tmp: %+v, want mode 1777", h)
		}
		if h := files["home/nonroot/"].hdr; h == nil || h.Uid != UID || h.Gid != GID {
			t.Errorf("/home/nonroot: %+v, want owned by 65532", h)
		}
		if h := files["usr/local/bin/gitward-agent"].hdr; h.Mode != 0o755 || !h.ModTime.Equal(epoch) {
			t.Errorf("gitward-agent: mode %o time %v", h.Mode, h.ModTime)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(files["etc/ssl/certs/ca-certificates.crt"].body)) {
			t.Error("the CA file holds no certificate")
		}
	}
	if strings.Join(archs, ",") != "linux/amd64,linux/arm64" {
		t.Errorf("platforms %v", archs)
	}
}

type tarFile struct {
	hdr  *tar.Header
	body string
}

func layerFiles(t *testing.T, img v1.Image) map[string]tarFile {
	t.Helper()
	layers, _ := img.Layers()
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1", len(layers))
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := map[string]tarFile{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		files[h.Name] = tarFile{hdr: h, body: string(b)}
	}
}

// TestArchiveIsALayoutTar checks the tar holds oci-layout, index.json and
// the blobs at the top, as `ctr images import` and `kind load
// image-archive` read them.
func TestArchiveIsALayoutTar(t *testing.T) {
	out, err := Write(t.TempDir(), "gitward", fakeSpec(t))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(out.Archive)
	defer f.Close()
	tr := tar.NewReader(f)
	seen := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen[h.Name] = true
		if h.Name == "index.json" {
			var idx v1.IndexManifest
			if err := json.NewDecoder(tr).Decode(&idx); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range []string{"oci-layout", "index.json", "blobs/sha256/" + out.Digest.Hex} {
		if !seen[n] {
			t.Errorf("archive lacks %s", n)
		}
	}
}

// TestPushLayoutAndLoadDocker pushes the layout to a registry on loopback as
// `crane push --index` does, and reads the docker archives back as `docker
// load` and `crane push` of a tarball do.
func TestPushLayoutAndLoadDocker(t *testing.T) {
	out, err := Write(t.TempDir(), "gitward", fakeSpec(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	idx, err := layout.ImageIndexFromPath(out.Layout)
	if err != nil {
		t.Fatal(err)
	}
	top, _ := idx.IndexManifest()
	inner, _ := idx.ImageIndex(top.Manifests[0].Digest)
	ref, _ := name.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/gitward/gitward:test")
	if err := remote.WriteIndex(ref, inner); err != nil {
		t.Fatal(err)
	}
	got, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := got.Digest(); d != out.Digest {
		t.Fatalf("pushed digest %s, built %s", d, out.Digest)
	}
	for arch, file := range out.Docker {
		tag, _ := name.NewTag(testRef)
		img, err := tarball.ImageFromPath(file, &tag)
		if err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		if cf, _ := img.ConfigFile(); cf.Architecture != arch {
			t.Errorf("%s: docker archive holds %s", file, cf.Architecture)
		}
	}
}

func TestFallbackRootsParse(t *testing.T) {
	rest := FallbackRoots()
	n := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n < 100 {
		t.Fatalf("%d roots, want the NSS store (over 100)", n)
	}
}

func TestBadInput(t *testing.T) {
	s := fakeSpec(t)
	s.Platforms[0].Binaries[0].Name = "../x"
	if _, err := Index(s); err == nil || !strings.Contains(err.Error(), "plain file name") {
		t.Errorf("binary name ../x: %v", err)
	}
	s = fakeSpec(t)
	s.Ref = "not a ref"
	if _, err := Write(t.TempDir(), "gitward", s); err == nil || !strings.Contains(err.Error(), "not a ref") {
		t.Errorf("bad ref: %v", err)
	}
}
