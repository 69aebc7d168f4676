package gitrepo

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

// benchFiles is how many small manifests BenchmarkTreeFSRead reads, about
// what a render of 2,000 objects touches.
const benchFiles = 2000

// newBenchRepo commits benchFiles small YAML files in 40 folders of 50.
func newBenchRepo(b *testing.B) *gittest.Repo {
	b.Helper()
	src := gittest.NewRepo(b)
	for i := range benchFiles {
		p := filepath.Join(src.Dir, fmt.Sprintf("apps/app-%02d/obj-%03d.yaml", i/50, i%50))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		body := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: obj-%d\ndata:\n  key: value-%d\n", i, i)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	src.Commit("2000 objects")
	return src
}

// BenchmarkTreeFSRead walks a commit's tree and reads every file, with a
// fresh TreeFS per iteration (cold tree cache, like a render of a new
// commit). "clone" reads an in-memory clone (what the agent and webhook
// hold), "checkout" a checkout's loose objects on disk.
func BenchmarkTreeFSRead(b *testing.B) {
	src := newBenchRepo(b)
	head := hash(src.Head())
	clone, err := Clone(b.Context(), CloneOptions{URL: gittest.FileURL(src.Dir), Depth: 1})
	if err != nil {
		b.Fatal(err)
	}
	checkout, err := Open(src.Dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		r    *Repo
	}{{"clone", clone}, {"checkout", checkout}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				fsys, err := bc.r.TreeFS(head)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return err
					}
					if _, err := fs.ReadFile(fsys, p); err != nil {
						return err
					}
					n++
					return nil
				})
				if err != nil || n != benchFiles {
					b.Fatalf("read %d files: %v", n, err)
				}
			}
		})
	}
}
