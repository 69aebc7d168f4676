package expand

import (
	"io/fs"

	"github.com/gitward/gitward/pkg/overlayfs"
)

// overlayFS is a repository tree with generated files laid over it: the
// kustomization Flux generates for a folder that has none, and the small
// overlays that carry a Flux Kustomization's targetNamespace and patches.
// Generated files live inside the tree, so `../` references from them stay
// inside it.
type overlayFS = overlayfs.FS

// newOverlay lays an empty overlay over base, or returns base when it is
// one already (a nested expansion adds to the same tree).
func newOverlay(base fs.FS) *overlayFS {
	if o, ok := base.(*overlayFS); ok {
		return o
	}
	return overlayfs.New(base, nil)
}
