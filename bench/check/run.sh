#!/usr/bin/env bash
# Times `git gitops check` (the real binary) on a Git repository with one
# environment of 2,000 objects (/work/shared/bench/gen-objects.py) and the
# 20 policies of bench/check/policies. Prints wall and CPU seconds per run.
#
#   bench/check/run.sh            # RUNS=5
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${RUNS:-5}
gen=${GEN_OBJECTS:-/work/shared/bench/gen-objects.py}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -C "$root" -o "$work/git-gitops" ./plugins/git-gitops
repo="$work/repo"
mkdir -p "$repo/overlays/bench"
python3 "$gen" "$repo/overlays/bench/objects.yaml" 2000
printf 'resources:\n- objects.yaml\n' >"$repo/overlays/bench/kustomization.yaml"
cp -r "$here/policies" "$repo/policies"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid commit -q -m bench

echo "run wall_s cpu_s exit"
for i in $(seq "$runs"); do
  set +e
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$work/git-gitops" check -C "$repo" >"$work/out" 2>&1
  code=$?
  set -e
  read -r wall user sys < <(tail -1 "$work/time")
  echo "$i $wall $(echo "$user + $sys" | bc) $code"
done
tail -1 "$work/out"
