package localcluster

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	ocilayout "github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// ImageSpec is a single-layer image for the node's own platform, made
// without Docker or a registry: for the node's pause image and for tests
// that need a trivial image.
type ImageSpec struct {
	// Ref is the reference the image is imported under, e.g.
	// "localcluster.local/pause:1" (annotation io.containerd.image.name).
	Ref string
	// Files maps a path in the image (no leading slash) to its content;
	// files are mode 0755 so that a binary runs.
	Files map[string][]byte
	// Entrypoint is the image's entrypoint.
	Entrypoint []string
	// User is the numeric user, e.g. "65532:65532"; "" for root.
	User string
}

// WriteImageArchive writes spec as an OCI layout tar at path, which
// `ctr images import` (and Node.ImportImage) accepts.
func WriteImageArchive(path string, spec ImageSpec) error {
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar(spec.Files))), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return fmt.Errorf("localcluster: image %s: layer: %w", spec.Ref, err)
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
	if err != nil {
		return fmt.Errorf("localcluster: image %s: %w", spec.Ref, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("localcluster: image %s: %w", spec.Ref, err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", runtime.GOARCH
	cfg.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	cfg.Config.Entrypoint = spec.Entrypoint
	cfg.Config.User = spec.User
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return fmt.Errorf("localcluster: image %s: %w", spec.Ref, err)
	}
	dir, err := os.MkdirTemp(filepath.Dir(path), ".oci-")
	if err != nil {
		return fmt.Errorf("localcluster: image %s: %w", spec.Ref, err)
	}
	defer os.RemoveAll(dir)
	lp, err := ocilayout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("localcluster: image %s: writing layout: %w", spec.Ref, err)
	}
	if err := lp.AppendImage(img, ocilayout.WithAnnotations(map[string]string{
		"io.containerd.image.name":          spec.Ref,
		"org.opencontainers.image.ref.name": spec.Ref,
	})); err != nil {
		return fmt.Errorf("localcluster: image %s: writing layout: %w", spec.Ref, err)
	}
	out, err := exec.Command("tar", "-cf", path, "-C", dir, ".").CombinedOutput()
	if err != nil {
		return fmt.Errorf("localcluster: image %s: tar: %v: %s", spec.Ref, err, out)
	}
	return nil
}

// layerTar is a tar of files with fixed times and owners, so a build is
// reproducible, plus /tmp.
func layerTar(files map[string][]byte) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0).UTC()
	_ = tw.WriteHeader(&tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777, ModTime: epoch})
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	dirs := map[string]bool{}
	for _, n := range names {
		for d := filepath.Dir(n); d != "." && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
			_ = tw.WriteHeader(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: epoch})
		}
		_ = tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(files[n])), ModTime: epoch})
		_, _ = tw.Write(files[n])
	}
	_ = tw.Close()
	return buf.Bytes()
}

// BuildStatic builds the Go package pkg (an import path or a folder) as a
// static binary for the node's platform and returns its bytes.
func BuildStatic(pkg string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "localcluster-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "bin")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("localcluster: go build %s: %v: %s", pkg, err, b)
	}
	return os.ReadFile(out)
}
