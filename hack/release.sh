#!/usr/bin/env bash
# Builds the kubectl-gitops release archives and their krew manifest:
#
#   dist/kubectl-gitops_<os>_<arch>.tar.gz   kubectl-gitops (+ LICENSE, README.md)
#   dist/gitops.yaml                         krew/gitops.yaml with the version,
#                                            the archive URLs and their sha256
#   dist/SHA256SUMS
#
# for linux and darwin on amd64 and arm64. `make release` runs it.
#
# Environment:
#   VERSION      release version, semver with a leading v (default: the exact
#                tag at HEAD, else v0.0.0-dev+g<commit>); krew requires semver
#   PLATFORMS    space-separated os/arch list (default: the four above); the
#                manifest then lists only the platforms built
#   DIST         output folder (default: dist/ at the repository root)
#   RELEASE_URL  where the archives will be downloaded from (default: the
#                GitHub release of VERSION)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ -z "${VERSION:-}" ]; then
  VERSION=$(git describe --tags --exact-match 2>/dev/null || echo "v0.0.0-dev+g${commit:0:12}")
fi
if ! [[ $VERSION =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$ ]]; then
  echo "release: VERSION=$VERSION is not semver with a leading v (krew needs e.g. v1.2.3)" >&2
  exit 1
fi
platforms=${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}
dist=${DIST:-$root/dist}
url=${RELEASE_URL:-https://github.com/gitward/gitward/releases/download/$VERSION}
template=$root/krew/gitops.yaml

mkdir -p "$dist"
work=$(mktemp -d "$dist/.release.XXXXXX")
trap 'rm -rf "$work"' EXIT

ldflags="-s -w -X github.com/gitward/gitward/pkg/version.version=$VERSION -X github.com/gitward/gitward/pkg/version.commit=$commit"
extras=()
for f in LICENSE README.md; do [ -f "$root/$f" ] && extras+=("$f"); done
if [[ ! " ${extras[*]} " =~ " LICENSE " ]]; then
  echo "release: warning: no LICENSE at the repository root; krew's validate-krew-manifest wants one in each archive" >&2
fi

: >"$work/SHA256SUMS"
for p in $platforms; do
  os=${p%/*} arch=${p#*/}
  name=kubectl-gitops_${os}_${arch}
  echo "release: building $name ($VERSION)"
  mkdir -p "$work/$name"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" \
    -o "$work/$name/kubectl-gitops" ./plugins/kubectl-gitops
  for f in "${extras[@]}"; do cp "$root/$f" "$work/$name/"; done
  # Reproducible archive: fixed order, owner and time.
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00Z' \
    -C "$work/$name" -cf - kubectl-gitops "${extras[@]}" | gzip -n >"$work/$name.tar.gz"
  (cd "$work" && sha256sum "$name.tar.gz") >>"$work/SHA256SUMS"
done

# The manifest: keep the platforms built, put in the version, the URLs and
# the sums. Each platform block starts at "  - selector:"; its uri line names
# the archive and the sha256 line follows it.
awk -v version="$VERSION" -v url="$url" -v sums="$work/SHA256SUMS" '
  BEGIN { while ((getline line < sums) > 0) { split(line, f, /  */); sum[f[2]] = f[1] } }
  function flush() { if (block != "" && keep) printf "%s", block; block = ""; keep = 0 }
  /^  - selector:/ { flush(); inblock = 1 }
  inblock && /^[^ ]/ { flush(); inblock = 0 }
  /^  version: / { $0 = "  version: " version }
  inblock && /^    uri: / {
    archive = $0; sub(/.*\//, "", archive)
    keep = (archive in sum)
    $0 = "    uri: " url "/" archive
  }
  inblock && /^    sha256: / { $0 = "    sha256: \"" (keep ? sum[archive] : "") "\"" }
  inblock { block = block $0 "\n"; next }
  { print }
  END { flush() }
' "$template" >"$work/gitops.yaml"

for p in $platforms; do
  grep -q "kubectl-gitops_${p%/*}_${p#*/}.tar.gz" "$work/gitops.yaml" || {
    echo "release: $template has no platform block for $p" >&2
    exit 1
  }
done

rm -f "$dist"/kubectl-gitops_*.tar.gz
mv "$work"/*.tar.gz "$work/SHA256SUMS" "$work/gitops.yaml" "$dist/"
echo "release: $VERSION in $dist:"
(cd "$dist" && ls -l kubectl-gitops_*.tar.gz gitops.yaml SHA256SUMS)
