package ociimage

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"path"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Binary is one executable built for the image's platform.
type Binary struct {
	Name string // file name under BinDir, e.g. gitward-agent
	File string // where the build wrote it
}

// Platform is one image of the index: its platform and its binaries.
type Platform struct {
	OS, Arch string
	Binaries []Binary
}

// Spec says what to build.
type Spec struct {
	// Ref names the image, e.g. ghcr.io/gitward/gitward:v1.2.3.
	Ref string
	// Platforms are the index's images, in this order.
	Platforms []Platform
	// CARoots is the PEM bundle at CAFile; nil means FallbackRoots.
	CARoots []byte
	// Labels go into each image's config (e.g. org.opencontainers.image.version).
	Labels map[string]string
}

// Image builds one platform's image.
func Image(p Platform, caRoots []byte, labels map[string]string) (v1.Image, error) {
	if len(p.Binaries) == 0 {
		return nil, fmt.Errorf("image %s/%s: no binaries", p.OS, p.Arch)
	}
	entries := baseEntries(caRoots)
	for _, b := range p.Binaries {
		e, err := binaryEntry(b.Name, b.File)
		if err != nil {
			return nil, fmt.Errorf("image %s/%s: %w", p.OS, p.Arch, err)
		}
		entries = append(entries, e)
	}
	raw, err := layerTar(entries)
	if err != nil {
		return nil, fmt.Errorf("image %s/%s: %w", p.OS, p.Arch, err)
	}
	// Compress once here: a layer made from an uncompressed opener
	// compresses again on every read (digest, layout, each archive).
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(
		func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(gz.Bytes())), nil },
		tarball.WithMediaType(types.OCILayer),
	)
	if err != nil {
		return nil, fmt.Errorf("image %s/%s: layer: %w", p.OS, p.Arch, err)
	}

	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History: v1.History{
			Created:   v1.Time{Time: epoch},
			CreatedBy: "gitward hack/images (pkg/ociimage)",
			Comment:   "static binaries, CA roots, user 65532",
		},
	})
	if err != nil {
		return nil, fmt.Errorf("image %s/%s: %w", p.OS, p.Arch, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = p.OS, p.Arch
	cf.Created = v1.Time{Time: epoch}
	cf.Author = "gitward"
	cf.Config.User = fmt.Sprintf("%d:%d", UID, GID)
	cf.Config.WorkingDir = "/home/nonroot"
	cf.Config.Env = []string{
		"PATH=" + BinDir + ":/usr/bin:/bin",
		"SSL_CERT_FILE=" + CAFile,
		"HOME=/home/nonroot",
	}
	// No entrypoint: the image holds several programs and a Pod names the
	// one it runs as its command. Plain `docker run IMAGE` prints the first
	// one's help.
	cf.Config.Entrypoint = nil
	cf.Config.Cmd = []string{path.Join(BinDir, p.Binaries[0].Name), "--help"}
	cf.Config.Labels = labels
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("image %s/%s: config: %w", p.OS, p.Arch, err)
	}
	return img, nil
}

// Index builds every platform's image into one OCI index.
func Index(s Spec) (v1.ImageIndex, error) {
	if len(s.Platforms) == 0 {
		return nil, fmt.Errorf("image %s: no platforms", s.Ref)
	}
	roots := s.CARoots
	if roots == nil {
		roots = FallbackRoots()
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range s.Platforms {
		img, err := Image(p, roots, s.Labels)
		if err != nil {
			return nil, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add: img,
			Descriptor: v1.Descriptor{
				MediaType: types.OCIManifestSchema1,
				Platform:  &v1.Platform{OS: p.OS, Architecture: p.Arch},
			},
		})
	}
	return idx, nil
}
