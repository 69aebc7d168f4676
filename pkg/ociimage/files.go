package ociimage

import (
	"archive/tar"
	"bytes"
	"encoding/pem"
	"fmt"
	"os"
	"path"
	"sort"
	"time"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The user the image runs as (distroless's "nonroot").
const (
	UID = 65532
	GID = 65532
)

// BinDir is where the binaries go; a Pod names one as its command.
const BinDir = "/usr/local/bin"

// CAFile is where the CA roots go; SSL_CERT_FILE points at it.
const CAFile = "/etc/ssl/certs/ca-certificates.crt"

// epoch is every file's and the image's time: the same input gives the same
// bytes.
var epoch = time.Unix(0, 0).UTC()

// entry is one file or folder of the layer.
type entry struct {
	name string // absolute path in the image
	mode int64
	dir  bool
	uid  int
	gid  int
	data []byte
}

// baseEntries are the files every image holds besides the binaries.
func baseEntries(caRoots []byte) []entry {
	passwd := "root:x:0:0:root:/root:/sbin/nologin\n" +
		fmt.Sprintf("nonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", UID, GID)
	group := "root:x:0:\n" + fmt.Sprintf("nonroot:x:%d:\n", GID)
	return []entry{
		{name: "/etc", dir: true, mode: 0o755},
		{name: "/etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "/etc/group", mode: 0o644, data: []byte(group)},
		{name: "/etc/ssl", dir: true, mode: 0o755},
		{name: "/etc/ssl/certs", dir: true, mode: 0o755},
		{name: CAFile, mode: 0o644, data: caRoots},
		{name: "/home", dir: true, mode: 0o755},
		{name: "/home/nonroot", dir: true, mode: 0o700, uid: UID, gid: GID},
		{name: "/tmp", dir: true, mode: 0o1777},
		{name: "/usr", dir: true, mode: 0o755},
		{name: "/usr/local", dir: true, mode: 0o755},
		{name: BinDir, dir: true, mode: 0o755},
	}
}

// FallbackRoots returns the CA roots of golang.org/x/crypto/x509roots/fallback
// as a PEM bundle. Roots with a constraint PEM cannot express (a distrust-after
// date) are left out rather than trusted without it.
func FallbackRoots() []byte {
	var b bytes.Buffer
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate})
	}
	return b.Bytes()
}

// layerTar writes the layer's tar: folders and files in path order, owned by
// root unless said otherwise, every time at the epoch.
func layerTar(entries []entry) ([]byte, error) {
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for i, e := range entries {
		if i > 0 && entries[i-1].name == e.name {
			return nil, fmt.Errorf("image file %s: given twice", e.name)
		}
		name := e.name[1:] // tar names are relative: "etc/passwd"
		h := &tar.Header{
			Name: name, Mode: e.mode, Uid: e.uid, Gid: e.gid,
			ModTime: epoch, Format: tar.FormatUSTAR,
		}
		if e.dir {
			h.Typeflag, h.Name = tar.TypeDir, name+"/"
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("image file %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, fmt.Errorf("image file %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// binaryEntry reads a binary from the build into BinDir.
func binaryEntry(name, file string) (entry, error) {
	if name == "" || path.Base(name) != name {
		return entry{}, fmt.Errorf("binary %q: the name must be a plain file name", name)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return entry{}, fmt.Errorf("binary %s: %w", name, err)
	}
	return entry{name: path.Join(BinDir, name), mode: 0o755, data: data}, nil
}
