// Package shipped builds a gitward binary the way it ships, for benchmarks
// that measure the binary itself (its RSS): as `make build` and the release
// build it (stripped, -trimpath), and flushed to disk as an installed binary
// is. A binary that runs in a cluster was written long before it starts (an
// image layer); one linked a second ago still has dirty pages in the page
// cache, which the kernel cannot evict, so the binary's release of its
// start-up pages (pkg/memtrim) would not show in its RSS.
package shipped

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Build builds the main package importPath (e.g.
// "github.com/gitward/gitward/webhook") into a temporary folder of tb and
// returns the binary's path.
func Build(tb testing.TB, importPath string) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), filepath.Base(importPath))
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, importPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", importPath, err, out)
	}
	f, err := os.Open(bin)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		tb.Fatalf("flush %s to disk: %v", bin, err)
	}
	return bin
}
