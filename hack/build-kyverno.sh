#!/usr/bin/env bash
# Builds the real kyverno CLI (github.com/kyverno/kyverno cmd/cli/kubectl-kyverno,
# pinned in the tools module tests/tools/kyverno) into .cache/bin/kyverno.
#
# Idempotent: the binary is rebuilt only when the content hash of the tools
# module (go.mod, go.sum, tools.go) or of this script changes; the hash is kept
# in .cache/bin/kyverno.stamp. `make tools` calls it.
#
# Environment: GITWARD_TOOLS_BIN overrides the output folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mod="$root/tests/tools/kyverno"
bin=${GITWARD_TOOLS_BIN:-"$root/.cache/bin"}
out="$bin/kyverno"
stamp="$bin/kyverno.stamp"

hash=$(cat "$mod/go.mod" "$mod/go.sum" "$mod/tools.go" "$0" | sha256sum | cut -d' ' -f1)
if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
  echo "kyverno: up to date ($out)"
  exit 0
fi

mkdir -p "$bin"
echo "kyverno: building github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno -> $out"
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
(cd "$mod" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$tmp" \
  github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno)
mv -f "$tmp" "$out"
echo "$hash" >"$stamp"
"$out" version 2>/dev/null | head -3 || true
