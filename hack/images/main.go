// Command images builds gitward's container image — gitward-agent and
// gitward-webhook in one image, linux/amd64 and linux/arm64 in one index —
// without Docker or a registry, into dist/images (pkg/ociimage says what
// is in it). `make images` runs it; it prints the index digest.
//
//	go run ./hack/images -version v1.2.3 -commit $(git rev-parse HEAD)
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/gitward/gitward/pkg/ociimage"
	gwversion "github.com/gitward/gitward/pkg/version"
)

// binaries are the programs in the image: name → package.
var binaries = [][2]string{
	{"gitward-agent", "./agent"},
	{"gitward-webhook", "./webhook"},
}

func main() {
	var (
		version   = flag.String("version", "dev", "version stamped into the binaries and the image tag")
		commit    = flag.String("commit", "", "commit stamped into the binaries")
		repo      = flag.String("repo", gwversion.ImageRepository, "image repository; the tag is -version")
		platforms = flag.String("platforms", "linux/amd64,linux/arm64", "comma-separated os/arch list")
		out       = flag.String("out", "dist/images", "output folder")
	)
	flag.Parse()
	if err := run(*version, *commit, *repo, *platforms, *out); err != nil {
		fmt.Fprintln(os.Stderr, "images:", err)
		os.Exit(1)
	}
}

func run(version, commit, repo, platforms, out string) error {
	tag := gwversion.ImageTag(version)
	ref := repo + ":" + tag
	work, err := os.MkdirTemp("", "gitward-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	ldflags := "-s -w -X github.com/gitward/gitward/pkg/version.version=" + version +
		" -X github.com/gitward/gitward/pkg/version.commit=" + commit
	spec := ociimage.Spec{Ref: ref, Labels: map[string]string{
		"org.opencontainers.image.version":  version,
		"org.opencontainers.image.revision": commit,
		"org.opencontainers.image.source":   "https://github.com/gitward/gitward",
	}}
	for _, p := range strings.Split(platforms, ",") {
		goos, arch, ok := strings.Cut(strings.TrimSpace(p), "/")
		if !ok {
			return fmt.Errorf("-platforms: %q is not os/arch", p)
		}
		plat := ociimage.Platform{OS: goos, Arch: arch}
		for _, b := range binaries {
			file := filepath.Join(work, goos+"-"+arch, b[0])
			fmt.Fprintf(os.Stderr, "images: building %s for %s/%s\n", b[0], goos, arch)
			cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", file, b[1])
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+arch)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("go build %s for %s/%s: %w", b[1], goos, arch, err)
			}
			plat.Binaries = append(plat.Binaries, ociimage.Binary{Name: b[0], File: file})
		}
		spec.Platforms = append(spec.Platforms, plat)
	}
	res, err := ociimage.Write(out, "gitward", spec)
	if err != nil {
		return err
	}
	for _, p := range spec.Platforms {
		fmt.Fprintf(os.Stderr, "images: %s/%s %.1f MiB compressed, docker archive %s\n",
			p.OS, p.Arch, float64(res.Compressed[p.Arch])/(1<<20), res.Docker[p.Arch])
	}
	fmt.Fprintf(os.Stderr, "images: %s (%s) in %s and %s\n", ref, runtime.Version(), res.Archive, res.Layout)
	fmt.Println(res.Digest)
	return nil
}
