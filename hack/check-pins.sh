#!/usr/bin/env bash
# Fails when a module the design card pins has moved in go.mod: `go get` of an
# unrelated module can silently downgrade them (kyverno and kubectl have been).
set -euo pipefail
cd "$(dirname "$0")/.."
pins=(
  k8s.io/api@v0.36.3 k8s.io/apimachinery@v0.36.3 k8s.io/client-go@v0.36.3
  k8s.io/cli-runtime@v0.36.3 k8s.io/kubectl@v0.36.3 k8s.io/apiextensions-apiserver@v0.36.3
  sigs.k8s.io/controller-runtime@v0.24.1 github.com/go-git/go-git/v5@v5.19.3
  github.com/bitnami-labs/sealed-secrets@v0.36.0 github.com/kyverno/kyverno@v1.19.1
)
bad=0
for p in "${pins[@]}"; do
  mod=${p%@*} want=${p#*@}
  have=$(awk -v m="$mod" '$1==m {print $2; exit}' go.mod)
  if [ "$have" != "$want" ]; then
    echo "go.mod: $mod is at ${have:-<absent>}, want $want" >&2
    bad=1
  fi
done
if [ $bad = 1 ]; then
  echo "re-pin with: go get ${pins[*]}" >&2
  exit 1
fi
