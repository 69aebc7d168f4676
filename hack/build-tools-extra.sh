#!/usr/bin/env bash
# Builds the extra real components the seal and krew tests use, each from its
# own tools module, into the tools folder (default .cache/bin):
#
#   sealed-secrets-controller, kubeseal   tests/tools/sealedsecrets (sealed-secrets v0.36.0)
#   kubectl-krew, validate-krew-manifest  tests/tools/krew          (krew v0.4.4)
#   kustomize, helm                       tests/tools/helm          (kustomize v5.8.1, helm v3.21.4)
#
# krew is installed as kubectl-krew because validate-krew-manifest runs
# `kubectl krew`; `krew` is a symlink to it.
#
# Idempotent: each module has a stamp (<module>.stamp) holding a hash of
# everything that decides its build (Go version, go.mod, go.sum, tools.go,
# this script). A second run with nothing changed builds nothing.
#
# Environment: GITWARD_TOOLS_BIN overrides the output folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GITWARD_TOOLS_BIN:-"$root/.cache/bin"}
mkdir -p "$bin"

# build MODULE_DIR STAMP_NAME "PKG=OUT ..."
build() {
  local mod=$1 name=$2 pairs=$3
  local stamp="$bin/$name.stamp"
  local hash
  hash=$( (go env GOVERSION; cat "$mod/go.mod" "$mod/go.sum" "$mod/tools.go" "$0") | sha256sum | cut -c1-64)
  local up=1 pair
  for pair in $pairs; do [ -x "$bin/${pair#*=}" ] || up=0; done
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] || up=0
  if [ $up = 1 ]; then
    echo "tools: $name up to date in $bin"
    return 0
  fi
  local start tmp
  start=$(date +%s)
  tmp=$(mktemp -d "$bin/.$name.XXXXXX")
  # shellcheck disable=SC2064 # expand now: tmp is local
  trap "rm -rf '$tmp'" RETURN
  for pair in $pairs; do
    echo "tools: building ${pair%=*} -> $bin/${pair#*=}"
    (cd "$mod" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$tmp/${pair#*=}" "${pair%=*}")
  done
  for pair in $pairs; do mv -f "$tmp/${pair#*=}" "$bin/${pair#*=}"; done
  echo "$hash" >"$stamp"
  echo "tools: $name built in $(($(date +%s) - start))s"
}

build "$root/tests/tools/sealedsecrets" sealed-secrets \
  "github.com/bitnami-labs/sealed-secrets/cmd/controller=sealed-secrets-controller github.com/bitnami-labs/sealed-secrets/cmd/kubeseal=kubeseal"
build "$root/tests/tools/krew" krew \
  "sigs.k8s.io/krew/cmd/krew=kubectl-krew sigs.k8s.io/krew/cmd/validate-krew-manifest=validate-krew-manifest"
ln -sfn kubectl-krew "$bin/krew"
# The real `kustomize build --enable-helm` and `helm template` that
# pkg/render and pkg/helm compare with (gitward itself runs neither).
build "$root/tests/tools/helm" helm \
  "sigs.k8s.io/kustomize/kustomize/v5=kustomize helm.sh/helm/v3/cmd/helm=helm"
