#!/usr/bin/env bash
# Builds the real control plane (etcd, kube-apiserver, kube-controller-manager),
# kubectl and a node's binaries (kubelet, kube-proxy, kube-scheduler) from their
# Go modules (tests/tools) into the tools folder, and installs the node's
# runtime (containerd, runc, the CNI plugins, iptables) from Debian packages
# when they are missing (hack/node-packages.sh).
# Idempotent: a stamp holds a hash of everything that decides the build, so a
# second run with nothing changed builds nothing. Extra tool modules register
# themselves below in EXTRA (each script is idempotent the same way).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GITWARD_TOOLS_BIN:-$root/.cache/bin}
mkdir -p "$bin"

k8s_version=v1.36.3
stamp=$bin/.control-plane.stamp
hash=$( (go env GOVERSION; cat "$root/tests/tools/go.mod" "$root/tests/tools/go.sum" \
  "$root/tests/tools/cmd/etcd/main.go" "$0") | sha256sum | cut -c1-64)
want=(etcd kube-apiserver kube-controller-manager kubectl kubelet kube-proxy kube-scheduler)

up_to_date=1
for b in "${want[@]}"; do [ -x "$bin/$b" ] || up_to_date=0; done
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] || up_to_date=0

if [ $up_to_date = 1 ]; then
  echo "tools: control plane up to date in $bin"
else
  echo "tools: building etcd, kube-apiserver, kube-controller-manager, kubectl, kubelet, kube-proxy, kube-scheduler ($k8s_version) into $bin"
  echo "tools: the first build takes about 8 minutes on 2 cores; later builds reuse Go's build cache"
  v=k8s.io/component-base/version
  cv=k8s.io/client-go/pkg/version
  ldflags="-s -w"
  for pkg in $v $cv; do
    ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=36 -X $pkg.gitTreeState=clean"
  done
  start=$(date +%s)
  # Build beside the folder, then rename: a running control plane keeps its
  # binaries, and an interrupted build leaves no half-written file behind.
  # One `go build` for all: the node's binaries share most of their packages
  # with kube-apiserver, and one invocation compiles each shared package once.
  tmp=$(mktemp -d "$bin/.build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$root/tests/tools" && go build -trimpath -ldflags "$ldflags" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kubectl \
    k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kube-proxy \
    k8s.io/kubernetes/cmd/kube-scheduler \
    ./cmd/etcd)
  for b in "${want[@]}"; do mv -f "$tmp/$b" "$bin/$b"; done
  echo "$hash" > "$stamp"
  echo "tools: built in $(( $(date +%s) - start ))s"
fi

# The node's runtime for the TestInCluster* tests (Debian packages).
bash "$root/hack/node-packages.sh"

# Other tool modules (sealed-secrets, krew, kyverno) keep their own stamps.
for extra in "$root"/hack/build-tools-extra.sh "$root"/hack/build-kyverno.sh; do
  if [ -f "$extra" ]; then GITWARD_TOOLS_BIN=$bin bash "$extra"; fi
done
