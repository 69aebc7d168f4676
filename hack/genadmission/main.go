// Command genadmission writes the files that state gitward's admission
// scope, all from pkg/admitscope, so that they cannot drift apart:
//
//   - manifests/webhook/validatingwebhookconfiguration.yaml,
//
//   - manifests/vap/policy.yaml and manifests/vap/binding.yaml,
//
//   - the scope section of docs/security.md (between its markers).
//
//     go run ./hack/genadmission        (make generate)
//
// pkg/admitscope's TestGeneratedFilesAreUpToDate fails when one is stale.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gitward/gitward/pkg/admitscope"
)

func main() {
	root := flag.String("root", ".", "repository root to write into")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintf(os.Stderr, "genadmission: %v\n", err)
		os.Exit(1)
	}
}

func run(root string) error {
	files, err := admitscope.Generate(root)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(root, f.Path), f.Data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "genadmission: wrote %s\n", f.Path)
	}
	return nil
}
