package ociimage

import (
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Output names the files Write makes in its folder.
type Output struct {
	Layout  string            // the OCI layout folder (crane push --index)
	Archive string            // the tar of Layout (ctr, kind, docker ≥ 25 with the containerd store)
	Docker  map[string]string // arch → docker-archive (docker load on any engine)
	Digest  v1.Hash           // the index's digest; the Pod's image is Ref's repository @ Digest
	// Compressed is each platform's compressed size (config + layers), the
	// bytes a node pulls.
	Compressed map[string]int64
}

// Write builds s and writes, in dir (created, replacing what was there):
//
//	<base>.oci/           the OCI image layout
//	<base>.oci.tar        that layout as a tar
//	<base>-<arch>.docker.tar  one docker-archive per platform
//	<base>.digest         the index digest, "sha256:…" and a newline
func Write(dir, base string, s Spec) (Output, error) {
	idx, err := Index(s)
	if err != nil {
		return Output{}, err
	}
	out := Output{
		Layout:     filepath.Join(dir, base+".oci"),
		Archive:    filepath.Join(dir, base+".oci.tar"),
		Docker:     map[string]string{},
		Compressed: map[string]int64{},
	}
	if out.Digest, err = idx.Digest(); err != nil {
		return Output{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Output{}, err
	}
	if err := os.RemoveAll(out.Layout); err != nil {
		return Output{}, err
	}
	if err := WriteLayout(out.Layout, idx, s.Ref); err != nil {
		return Output{}, err
	}
	if err := writeFile(out.Archive, func(f *os.File) error { return TarDir(f, out.Layout) }); err != nil {
		return Output{}, fmt.Errorf("archive %s: %w", out.Archive, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return Output{}, err
	}
	for _, d := range m.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			return Output{}, err
		}
		arch := d.Platform.Architecture
		size, err := compressedSize(img)
		if err != nil {
			return Output{}, err
		}
		out.Compressed[arch] = size
		file := filepath.Join(dir, fmt.Sprintf("%s-%s.docker.tar", base, arch))
		if err := WriteDockerArchive(file, img, s.Ref); err != nil {
			return Output{}, err
		}
		out.Docker[arch] = file
	}
	digestFile := filepath.Join(dir, base+".digest")
	if err := os.WriteFile(digestFile, []byte(out.Digest.String()+"\n"), 0o644); err != nil {
		return Output{}, err
	}
	return out, nil
}

func compressedSize(img v1.Image) (int64, error) {
	m, err := img.Manifest()
	if err != nil {
		return 0, err
	}
	n := m.Config.Size
	for _, l := range m.Layers {
		n += l.Size
	}
	return n, nil
}

// writeFile writes through a temporary file renamed into place, so a failed
// build leaves no half archive behind.
func writeFile(file string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(file), ".tmp-"+filepath.Base(file)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), file)
}
