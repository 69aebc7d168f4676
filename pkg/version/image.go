package version

import "strings"

// imageDigest is the digest of the release's image index (sha256:…), set at
// link time by hack/release.sh, which builds the image (hack/images) before
// kubectl-gitops. Empty in any other build.
var imageDigest = ""

// ImageRepository is where releases publish the image holding
// gitward-agent and gitward-webhook.
const ImageRepository = "ghcr.io/gitward/gitward"

// ImageDigest is the digest of this release's image, or "" when this build
// was not made with one (make build, go build, go install).
func ImageDigest() string { return imageDigest }

// ImageTag is the image tag of a version: a tag cannot hold "+", which
// semver build metadata (v0.0.0-dev+g1234) does.
func ImageTag(v string) string { return strings.ReplaceAll(v, "+", "-") }
