#!/usr/bin/env bash
# Installs what a real node in the end-to-end tests needs beside the kubelet
# (which hack/tools.sh builds): containerd, runc, the CNI plugins and iptables,
# from Debian packages. Idempotent: installs only the packages that are
# missing, and does nothing when all are there.
#
# Without apt-get or without root it installs nothing and says so; the
# TestInCluster* tests then skip with the same reason (tests/localcluster
# checks for the binaries). On CI (CI=true) a missing package is an error, so
# the node tests cannot silently skip there.
set -euo pipefail
packages=(containerd runc containernetworking-plugins iptables)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} = 0 ]; then
  echo "tools: node packages present (${packages[*]})"
  exit 0
fi
why=""
if ! command -v apt-get >/dev/null; then
  why="apt-get not found"
elif [ "$(id -u)" != 0 ]; then
  why="not root"
fi
if [ -n "$why" ]; then
  msg="tools: cannot install ${missing[*]} ($why); the TestInCluster* tests will skip"
  if [ "${CI:-}" = true ]; then echo "$msg — on CI this is an error" >&2; exit 1; fi
  echo "$msg" >&2
  exit 0
fi
echo "tools: installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
# Update the lists only when the install cannot find a package in them.
if ! apt-get install -y --no-install-recommends "${missing[@]}" </dev/null; then
  apt-get update </dev/null
  apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
fi
# The package starts containerd as a system service where systemd runs; the
# tests run their own containerd with private folders and never use it.
