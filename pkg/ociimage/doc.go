// Package ociimage builds gitward's container image from Go binaries without
// Docker, a Dockerfile or a registry: one gzip layer on an empty base holding
// the binaries, a non-root user (65532:65532), /tmp, a home folder and CA
// roots, with every timestamp at the Unix epoch so that the same binaries
// give the same digest on every machine.
//
// The images of several platforms go into one OCI index, written as an OCI
// image layout (a folder, which `crane push --index` reads) and as a tar of
// that folder (which `ctr images import`, `kind load image-archive` and
// `docker load` read). Each index entry carries the reference name twice:
// org.opencontainers.image.ref.name for OCI tools and io.containerd.image.name,
// which containerd's importer needs to name the image it imports.
//
// The CA roots come from golang.org/x/crypto/x509roots/fallback (Mozilla's NSS
// store pinned by go.sum), not from the build machine, so a fresh machine
// builds the same bytes.
package ociimage
